//! `chathub widget OPERATOR_ID`: an operator token in the chat panel's script tag.

use anyhow::Result;
use chathub_client::widget::ScriptTag;
use chathub_types::time::format_instant;
use serde_json::json;

use super::Context;
use super::token::{issue, token_object};
use crate::cli::WidgetArgs;

/// Prints the script tag, or with `--json` the token object plus `operatorId` and `scriptTag`.
pub async fn run(context: &Context, args: WidgetArgs) -> Result<()> {
    let issued = issue(context, args.operator, &args.lifetime).await?;
    let mut tag = ScriptTag::new(&issued.token);
    if let Some(src) = args.src.as_deref() {
        tag = tag.src(src);
    }
    let tag = tag.to_string();
    if context.out.is_json() {
        let mut object = token_object(&issued);
        if let Some(members) = object.as_object_mut() {
            members.insert("operatorId".to_owned(), json!(issued.operator_id));
            members.insert("scriptTag".to_owned(), json!(tag));
        }
        context.out.json(&object)
    } else {
        context.out.note(format!(
            "Put this tag in operator {}'s page; its token expires at {}.",
            issued.operator_id,
            format_instant(issued.expires_at)
        ));
        context.out.line(tag)
    }
}
