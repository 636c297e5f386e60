//! The operator chat panel's script tag (spec §3.9).
//!
//! Issue the token on your server, then put the tag in the page you send
//! to the operator's browser; company credentials never reach the browser.

use chathub_types::{OperatorToken, OrganizationId};

/// The vendor's operator chat panel script.
pub const WIDGET_SCRIPT_URL: &str = "https://widget.smsbat.com/operator-chat-panel/widget-script.js";

/// The `id` of the panel's script tag.
pub const SCRIPT_ID: &str = "operator-chat-panel-script";

/// The spec §3.9 tag for the vendor's widget, the token attribute-escaped.
///
/// ```
/// use chathub_client::{types::OperatorToken, widget};
/// let tag = widget::script_tag(&OperatorToken::new("eyJ.a.b"));
/// assert_eq!(
///     tag,
///     r#"<script type="module" id="operator-chat-panel-script" src="https://widget.smsbat.com/operator-chat-panel/widget-script.js" token="eyJ.a.b"></script>"#
/// );
/// ```
pub fn script_tag(token: &OperatorToken) -> String {
    ScriptTag::new(token).to_string()
}

/// The same tag loading the panel from `src`, e.g. a chathub-server's
/// stand-in at `<base URL>/operator-chat-panel/widget-script.js`.
pub fn script_tag_with_src(token: &OperatorToken, src: &str) -> String {
    ScriptTag::new(token).src(src).to_string()
}

/// A script tag with every part adjustable; `Display` writes it.
///
/// ```
/// use chathub_client::{types::OperatorToken, widget::ScriptTag};
/// let token = OperatorToken::new("a\"b<c>&'");
/// let tag = ScriptTag::new(&token).src("http://127.0.0.1:8080/operator-chat-panel/widget-script.js").organization(24);
/// assert_eq!(
///     tag.to_string(),
///     r#"<script type="module" id="operator-chat-panel-script-24" src="http://127.0.0.1:8080/operator-chat-panel/widget-script.js" token="a&quot;b&lt;c&gt;&amp;&#39;"></script>"#
/// );
/// ```
#[derive(Clone)]
pub struct ScriptTag<'a> {
    token: &'a OperatorToken,
    src: &'a str,
    organization: Option<OrganizationId>,
}

impl std::fmt::Debug for ScriptTag<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptTag")
            .field("token", self.token)
            .field("src", &self.src)
            .field("organization", &self.organization)
            .finish()
    }
}

impl<'a> ScriptTag<'a> {
    /// The tag for the vendor's widget.
    pub fn new(token: &'a OperatorToken) -> Self {
        Self { token, src: WIDGET_SCRIPT_URL, organization: None }
    }

    /// Loads the panel from `src` instead of [`WIDGET_SCRIPT_URL`].
    pub fn src(mut self, src: &'a str) -> Self {
        self.src = src;
        self
    }

    /// Uses the id `operator-chat-panel-script-<organization>`, as the
    /// vendor's sample with one panel per organization does.
    pub fn organization(mut self, organization: impl Into<OrganizationId>) -> Self {
        self.organization = Some(organization.into());
        self
    }
}

impl std::fmt::Display for ScriptTag<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<script type=\"module\" id=\"")?;
        f.write_str(SCRIPT_ID)?;
        if let Some(organization) = self.organization {
            write!(f, "-{organization}")?;
        }
        write!(f, "\" src=\"{}\" token=\"{}\"></script>", Escaped(self.src), Escaped(self.token.expose()))
    }
}

/// Text escaped for a double-quoted HTML attribute.
struct Escaped<'a>(&'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(index) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..index])?;
            let entity = match rest.as_bytes()[index] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            };
            f.write_str(entity)?;
            rest = &rest[index + 1..];
        }
        f.write_str(rest)
    }
}
