//! The five scenarios: what each request is, how to prepare it (sign in,
//! issue an operator token), and how to compare the two servers' answers.

use std::net::SocketAddr;

use anyhow::{Context as _, bail, ensure};

use super::http::{Reply, Request};

/// The organization whose operators are listed (several, of all statuses).
const LISTED_ORGANIZATION: i32 = 24;
/// The organization synchronize adds to.
const SYNCHRONIZED_ORGANIZATION: i32 = 42;
/// The operator whose token is validated: the seed's first, Active.
const VALIDATED_OPERATOR: i32 = 1;

/// One load scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Scenario {
    /// `GET /api/company/organization` with a company token.
    Organizations,
    /// `GET /api/operator?organizationId=24` with a company token.
    Operators,
    /// `POST /api/operator/validate-token` of a valid operator token.
    ValidateToken,
    /// `POST /api/operator/synchronize` adding one operator.
    Synchronize,
    /// `POST /api/company/get-token` with the right password.
    SignIn,
}

/// What a scenario must reach against the baseline (issue 9).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// At least this share of the baseline's requests per second.
    Ratio(f64),
    /// At least this many requests per second, with peak RSS below this many MiB.
    RateAndMemory(f64, f64),
}

/// The credentials of the company in the seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Its login.
    pub login: String,
    /// Its password.
    pub password: String,
}

impl Credentials {
    /// The first `login = "…"` and `password = "…"` of a seed file.
    pub fn from_seed(seed: &str) -> anyhow::Result<Self> {
        let value = |key: &str| {
            seed.lines()
                .find_map(|line| {
                    let (name, value) = line.split_once('=')?;
                    (name.trim() == key).then(|| value.trim().trim_matches('"').to_owned())
                })
                .with_context(|| format!("the seed has no `{key}`"))
        };
        Ok(Self { login: value("login")?, password: value("password")? })
    }

    fn sign_in_body(&self) -> String {
        format!(r#"{{"login":"{}","password":"{}"}}"#, json_text(&self.login), json_text(&self.password))
    }
}

/// Every scenario, in report order.
pub const ALL: [Scenario; 5] =
    [Scenario::Organizations, Scenario::Operators, Scenario::ValidateToken, Scenario::Synchronize, Scenario::SignIn];

impl Scenario {
    /// Its name in the report.
    pub fn title(self) -> &'static str {
        match self {
            Self::Organizations => "list organizations",
            Self::Operators => "list operators (6)",
            Self::ValidateToken => "validate-token",
            Self::Synchronize => "synchronize (1 operator)",
            Self::SignIn => "sign-in (argon2id)",
        }
    }

    /// Its target.
    pub fn target(self) -> Target {
        match self {
            Self::Organizations | Self::Operators | Self::ValidateToken => Target::Ratio(0.8),
            Self::Synchronize => Target::Ratio(0.3),
            Self::SignIn => Target::RateAndMemory(20.0, 100.0),
        }
    }

    /// Signs in (and, for validate-token, issues an operator token expiring
    /// at `expires_at`) on the server at `address`, and returns the request
    /// the load repeats.
    pub fn prepare(self, address: SocketAddr, credentials: &Credentials, expires_at: &str) -> anyhow::Result<Request> {
        let sign_in = Request {
            method: "POST",
            path: "/api/company/get-token".to_owned(),
            headers: vec![("Accept", "text/plain".to_owned())],
            body: Some(credentials.sign_in_body()),
        };
        if self == Self::SignIn {
            return Ok(sign_in);
        }
        let company_token = expect_token(sign_in.send(address)?).context("signing in")?;
        let authorization = ("Authorization", format!("Bearer {company_token}"));
        let get = |path: String| Request { method: "GET", path, headers: vec![authorization.clone()], body: None };
        let post = |path: &str, body: String| Request {
            method: "POST",
            path: path.to_owned(),
            headers: vec![authorization.clone()],
            body: Some(body),
        };
        Ok(match self {
            Self::Organizations => get("/api/company/organization".to_owned()),
            Self::Operators => get(format!("/api/operator?organizationId={LISTED_ORGANIZATION}")),
            Self::Synchronize => post(
                "/api/operator/synchronize",
                format!(r#"[{{"organizationId":{SYNCHRONIZED_ORGANIZATION},"name":"Bench Operator"}}]"#),
            ),
            Self::ValidateToken => {
                let issue = Request {
                    headers: vec![authorization.clone(), ("Accept", "text/plain".to_owned())],
                    ..post(
                        "/api/operator/get-token",
                        format!(r#"{{"id":{VALIDATED_OPERATOR},"expiresAt":"{expires_at}"}}"#),
                    )
                };
                let operator_token = expect_token(issue.send(address)?).context("issuing an operator token")?;
                post("/api/operator/validate-token", format!(r#"{{"token":"{operator_token}"}}"#))
            }
            Self::SignIn => sign_in,
        })
    }

    /// The answer to one request, reduced to what both servers must agree
    /// on: the status, the content type and the body, with what differs by
    /// nature (a token, a new id) replaced by a placeholder.
    pub fn comparable(self, reply: &Reply) -> anyhow::Result<String> {
        ensure!(reply.status == 200, "the probe answered {}: {}", reply.status, reply.body);
        let body = match self {
            Self::SignIn => format!("<a token of {} characters>", reply.body.len()),
            Self::Synchronize => mask_ids(&reply.body),
            Self::Operators if reply.body == "[]" => bail!("the listed organization has no operators"),
            _ => reply.body.clone(),
        };
        Ok(format!("{} {}\n{body}", reply.status, reply.content_type.as_deref().unwrap_or("(no content type)")))
    }
}

/// The token of a get-token answer asked for as text.
fn expect_token(reply: Reply) -> anyhow::Result<String> {
    ensure!(reply.status == 200, "answer {}: {}", reply.status, reply.body);
    let token = reply.body.trim();
    ensure!(
        !token.is_empty() && token.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
        "the answer is not a raw token: {token}"
    );
    Ok(token.to_owned())
}

/// `"id":123` → `"id":#`.
fn mask_ids(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("\"id\":") {
        out.push_str(&rest[..at + 5]);
        rest = rest[at + 5..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('#');
    }
    out.push_str(rest);
    out
}

/// Escapes text for a JSON string.
fn json_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply { status, content_type: Some("application/json; charset=utf-8".to_owned()), body: body.to_owned() }
    }

    #[test]
    fn credentials_come_from_the_seed() {
        let seed = "# x\n[[company]]\nlogin = \"bench\"\npassword = \"p\\\"w\"\n";
        let credentials = Credentials::from_seed(seed).unwrap();
        assert_eq!(credentials.login, "bench");
        assert!(Credentials::from_seed("[[company]]\n").is_err());
        let plain = Credentials { login: "a".to_owned(), password: "q\"\\\n".to_owned() };
        assert_eq!(plain.sign_in_body(), r#"{"login":"a","password":"q\"\\\u000a"}"#);
    }

    #[test]
    fn comparison_masks_new_ids_and_tokens_only() {
        let a = Scenario::Synchronize.comparable(&reply(200, r#"[{"id":17,"name":"B","status":0}]"#)).unwrap();
        let b = Scenario::Synchronize.comparable(&reply(200, r#"[{"id":9,"name":"B","status":0}]"#)).unwrap();
        assert_eq!(a, b);
        let c = Scenario::Synchronize.comparable(&reply(200, r#"[{"id":9,"name":"C","status":0}]"#)).unwrap();
        assert_ne!(a, c);
        let list = Scenario::Organizations.comparable(&reply(200, r#"[{"id":6,"name":"S"}]"#)).unwrap();
        assert!(list.ends_with(r#"[{"id":6,"name":"S"}]"#));
        assert_eq!(
            Scenario::SignIn.comparable(&reply(200, "abc")).unwrap(),
            Scenario::SignIn.comparable(&reply(200, "xyz")).unwrap()
        );
        assert!(Scenario::Organizations.comparable(&reply(401, "{}")).is_err());
        assert!(Scenario::Operators.comparable(&reply(200, "[]")).is_err());
    }

    #[test]
    fn targets_follow_issue_9() {
        for scenario in [Scenario::Organizations, Scenario::Operators, Scenario::ValidateToken] {
            assert_eq!(scenario.target(), Target::Ratio(0.8));
        }
        assert_eq!(Scenario::Synchronize.target(), Target::Ratio(0.3));
        assert_eq!(Scenario::SignIn.target(), Target::RateAndMemory(20.0, 100.0));
    }

    #[test]
    fn tokens_must_be_raw() {
        assert_eq!(expect_token(reply(200, "a.b-c_d\n")).unwrap(), "a.b-c_d");
        assert!(expect_token(reply(200, "\"a.b.c\"")).is_err());
        assert!(expect_token(reply(401, "a.b.c")).is_err());
    }
}
