//! `chathub operators list|add|import|status`.

use anyhow::Result;
use chathub_client::{OperatorId, OperatorStatus, OrganizationId};
use chathub_types::limits::MAX_SYNCHRONIZE_ELEMENTS;
use chathub_types::operator::set_status;
use chathub_types::validation::{ValidationErrors, check_name};

use super::Context;
use crate::cli::OperatorsCommand;
use crate::error::usage;
use crate::{import, output};

/// Runs one `operators` subcommand.
pub async fn run(context: &Context, command: OperatorsCommand) -> Result<()> {
    match command {
        OperatorsCommand::List { org } => list(context, org).await,
        OperatorsCommand::Add { org, names } => add(context, org, names).await,
        OperatorsCommand::Import(args) => import::run(context, args).await,
        OperatorsCommand::Status { id, status } => set_status(context, id, status).await,
    }
}

async fn list(context: &Context, organization: OrganizationId) -> Result<()> {
    let operators = context.client()?.operators().list(organization).await?;
    if context.out.is_json() {
        context.out.json(&operators)
    } else if operators.is_empty() {
        // Another company's organization also lists as empty (Decision 6).
        context.out.line(format!("Organization {organization} has no operators (or is not this company's)."))
    } else {
        context.out.table(&output::operators(&operators))
    }
}

async fn add(context: &Context, organization: OrganizationId, names: Vec<String>) -> Result<()> {
    if names.len() > MAX_SYNCHRONIZE_ELEMENTS {
        usage!(
            "{} names: at most {MAX_SYNCHRONIZE_ELEMENTS} fit in one request; use `chathub operators import`",
            names.len()
        );
    }
    let mut errors = ValidationErrors::new();
    for (index, name) in names.iter().enumerate() {
        check_name(name, &format!("NAME {} ({name:?})", index + 1), &mut errors);
    }
    if !errors.is_empty() {
        usage!("{errors}");
    }
    let created = context.client()?.operators().add(organization, names).await?;
    if context.out.is_json() {
        context.out.json(&created)
    } else {
        context
            .out
            .line(format!("Added {} to organization {organization}:", output::count(created.len(), "operator")))?;
        context.out.table(&output::created(&created))
    }
}

async fn set_status(context: &Context, operator: OperatorId, status: OperatorStatus) -> Result<()> {
    context.client()?.operators().set_status(operator, status).await?;
    if context.out.is_json() {
        // The answer has no body: print the request that was applied.
        context.out.json(&set_status::Request { id: operator, status })
    } else if status.is_active() {
        context.out.line(format!("Operator {operator} is now {status}."))
    } else {
        context.out.line(format!("Operator {operator} is now {status}; its tokens were revoked."))
    }
}
