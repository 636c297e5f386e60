//! One operation per endpoint of `chathub_types::ENDPOINTS`: the metadata
//! (method, path, auth, body) decides the security and the error statuses;
//! [`details`] adds what the metadata cannot say (schemas, examples, words).

use chathub_types::company::{self, list_organizations};
use chathub_types::operator::list_operators;
use chathub_types::{Auth, Endpoint, OrganizationId};
use utoipa::openapi::path::{Operation, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, RefOr, Required, Response, ResponsesBuilder, Schema, SecurityRequirement};

use super::{examples, responses, schemas};

/// The security scheme of `Authorization: Bearer <token>`.
pub const BEARER: &str = "Bearer";
/// The security scheme of `X-Authorization-Key: <token or API key>`.
pub const API_KEY: &str = "ApiKey";

/// What the document says about an endpoint beyond its metadata.
pub struct Details {
    summary: &'static str,
    description: &'static str,
    /// The body's component name and an example.
    request: Option<(&'static str, Option<serde_json::Value>)>,
    success: Response,
    /// When and how the endpoint answers 400 (besides a malformed body).
    bad_request: Option<(&'static str, chathub_types::ProblemDetails)>,
    /// When it answers 404 (besides unknown paths).
    not_found: Option<&'static str>,
    /// Its query parameters.
    query: Option<utoipa::openapi::path::Parameter>,
}

/// The details of `endpoint`, or `None` for an endpoint this module does
/// not know yet (a test keeps that list empty).
pub fn details(endpoint: &Endpoint) -> Option<Details> {
    use chathub_types::operator::{get_token, set_status, synchronize_operators, validate_token};
    Some(match *endpoint {
        company::get_token::ENDPOINT => Details {
            summary: "Sign in: a company token",
            description: "Signs a company in with its login and password (§3.1) and answers a company token, \
                valid for the server's `--company-token-ttl` (default 24 hours, Decision 12).",
            request: Some((schemas::COMPANY_GET_TOKEN_REQUEST, examples::company_sign_in())),
            success: responses::token("company token"),
            bad_request: Some((
                "The body is not JSON, or `login` or `password` is missing, not a string or holds U+0000 \
                 (Decision 5, §4.15).",
                examples::rejected::<company::get_token::Request>(r#"{"login": "acme"}"#),
            )),
            not_found: None,
            query: None,
        },
        list_organizations::ENDPOINT => Details {
            summary: "The company's organizations",
            description: "Every organization of the calling company, sorted by id, no paging (§3.2, Decision 6).",
            request: None,
            success: responses::json(
                "The organizations, by id.",
                schemas::list_of::<list_organizations::Response>(),
                examples::organizations(),
            ),
            bad_request: None,
            not_found: None,
            query: None,
        },
        list_operators::ENDPOINT => Details {
            summary: "An organization's operators",
            description: "Every operator of an organization, Deleted ones included, sorted by id, no paging \
                (§3.3, Decision 6). With a company credential `organizationId` is required, and an \
                organization that is not the caller's gives `[]`. With an operator token it may be omitted \
                and lists the operator's own organization; any other organization gives `[]` (Decision 7).",
            request: None,
            success: responses::json(
                "The operators, by id.",
                schemas::list_of::<list_operators::Response>(),
                examples::operators(),
            ),
            bad_request: Some((
                "`organizationId` is not an integer in the 32-bit range, or is missing with a company \
                 credential (Decision 6, §4.15).",
                examples::rejected_query("organizationId=x"),
            )),
            not_found: None,
            query: Some(
                ParameterBuilder::new()
                    .name(list_operators::ORGANIZATION_ID)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some(
                        "The organization. Required with a company token or API key; may be omitted with an \
                         operator token (its own organization). The name matches without regard to case; \
                         the first value counts.",
                    ))
                    .schema(Some(schemas::reference_to::<OrganizationId>()))
                    .example(Some(24.into()))
                    .build(),
            ),
        },
        synchronize_operators::ENDPOINT => Details {
            summary: "Add operators, all or none",
            description: "Adds the operators in order and answers one element per request element (§3.4). \
                All or nothing (Decision 8): every element is checked first (name non-blank after trimming, \
                at most 100 characters; organization owned by the caller) and any failure is a 400 naming \
                each bad element, with nothing stored. At most 1,000 elements; `[]` answers `[]`. New \
                operators are Active; duplicate names are allowed; names are stored trimmed.",
            request: Some((schemas::SYNCHRONIZE_OPERATORS_REQUEST, examples::new_operators())),
            success: responses::json(
                "The new operators, in request order.",
                schemas::list_of::<synchronize_operators::Response>(),
                examples::synchronized_operators(),
            ),
            bad_request: Some((
                "The body is not a JSON array of operators, has more than 1,000 elements, or some element \
                 is bad: every bad element is named (`$[2].name`, `$[0].organizationId`) and nothing is \
                 stored (Decisions 5, 8, 14).",
                examples::rejected::<synchronize_operators::Request>(
                    r#"[{"organizationId": 24, "name": "Alex Brown"}, {"organizationId": 24, "name": "   "}]"#,
                ),
            )),
            not_found: None,
            query: None,
        },
        set_status::ENDPOINT => Details {
            summary: "Set an operator's status",
            description: "Sets an operator's status: 0 Active, 1 Inactive, 2 Deleted; any status may follow \
                any other (§3.5, Decision 9). Inactive and Deleted revoke every operator token issued \
                before; those stay revoked when the operator is made Active again.",
            request: Some((schemas::SET_OPERATOR_STATUS_REQUEST, examples::set_status())),
            success: responses::empty("The status is set; the body is empty."),
            bad_request: Some((
                "The body is malformed, or `status` is not 0, 1 or 2 (Decision 9).",
                examples::rejected::<set_status::Request>(r#"{"id": 104, "status": 7}"#),
            )),
            not_found: Some("No such operator, or another company's (Decision 9)."),
            query: None,
        },
        get_token::ENDPOINT => Details {
            summary: "Issue an operator token",
            description: "Issues a token for one of the company's operators, for the chat widget (§3.6). \
                `expiresAt` must be later than now and at most 24 hours after now (60 seconds of clock skew \
                allowed); a date-time without an offset is read as UTC. The token's `exp` is `expiresAt` cut \
                to whole seconds (Decision 10).",
            request: Some((schemas::OPERATOR_GET_TOKEN_REQUEST, examples::operator_token_request())),
            success: responses::token("operator token"),
            bad_request: Some((
                "The body is malformed, `expiresAt` is not in the next 24 hours, or the operator is not \
                 Active (Decision 10).",
                examples::rejected::<get_token::Request>(r#"{"id": 123, "expiresAt": "tomorrow"}"#),
            )),
            not_found: Some("No such operator, or another company's (Decision 10)."),
            query: None,
        },
        validate_token::ENDPOINT => Details {
            summary: "Check an operator token",
            description: "Says whether an operator token is valid for the calling company: our signature, an \
                operator token, not expired, an operator of this company, Active, not revoked (§3.7, \
                Decision 11). Always 200 for a well-formed request, with all five fields; when not valid, \
                `error` is the first of `Invalid token`, `Not an operator token`, `Token expired`, \
                `Invalid token` (another company's operator), `Operator is not active`, `Token revoked` \
                that applies.",
            request: Some((schemas::VALIDATE_TOKEN_REQUEST, examples::validate_token_request())),
            success: validate_token_response(),
            bad_request: Some((
                "The body is malformed: `token` missing, not a string, or holding U+0000 (Decision 5).",
                examples::rejected::<validate_token::Request>("{}"),
            )),
            not_found: None,
            query: None,
        },
        _ => return None,
    })
}

fn validate_token_response() -> Response {
    let examples = [("valid", examples::valid_token()), ("expired", examples::expired_token())];
    let content = ContentBuilder::new()
        .schema(Some(schemas::reference(schemas::VALIDATE_TOKEN_RESPONSE)))
        .examples_from_iter(examples.into_iter().map(|(name, value)| {
            (name, utoipa::openapi::example::ExampleBuilder::new().summary(name).value(value).build())
        }))
        .build();
    utoipa::openapi::ResponseBuilder::new()
        .description("The verdict: valid, or why not.")
        .content(responses::JSON, content)
        .build()
}

/// The operation of `endpoint`.
pub fn operation(endpoint: &Endpoint) -> Operation {
    let details = details(endpoint);
    let (tag, _) = endpoint.name.split_once('.').unwrap_or(("api", endpoint.name));
    let mut builder = OperationBuilder::new()
        .operation_id(Some(operation_id(endpoint.name)))
        .tag(tag)
        .summary(details.as_ref().map(|d| d.summary))
        .description(Some(details.as_ref().map_or("Not described yet.", |d| d.description)));
    if endpoint.auth != Auth::None {
        builder = builder
            .security(SecurityRequirement::new(BEARER, Vec::<String>::new()))
            .security(SecurityRequirement::new(API_KEY, Vec::<String>::new()));
    }
    if let Some(query) = details.as_ref().and_then(|d| d.query.clone()) {
        builder = builder.parameter(query);
    }
    if endpoint.has_body {
        let (schema, example) = match details.as_ref().and_then(|d| d.request.clone()) {
            Some((name, example)) => (schemas::reference(name), example),
            None => (RefOr::from(ObjectBuilder::new()), None),
        };
        builder = builder.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(responses::JSON, ContentBuilder::new().schema(Some(schema)).example(example).build())
                .build(),
        ));
    }
    let success = details.as_ref().map_or_else(|| responses::empty("Success."), |d| d.success.clone());
    builder.responses(error_responses(endpoint, details.as_ref()).response("200", success)).build()
}

/// Every error status the spec names for `endpoint`, with its problem body.
fn error_responses(endpoint: &Endpoint, details: Option<&Details>) -> ResponsesBuilder {
    use examples::problem;
    let mut responses = ResponsesBuilder::new();
    let mut add = |status: u16, description: &str, example: chathub_types::ProblemDetails| {
        responses = std::mem::take(&mut responses)
            .response(status.to_string(), responses::problem(status, description, &example));
    };
    if let Some((description, example)) = details.and_then(|d| d.bad_request.clone()) {
        add(400, description, example);
    } else if endpoint.has_body {
        add(400, "The body is not valid JSON or does not fit the schema (Decision 5).", problem(400, ""));
    }
    match endpoint.auth {
        Auth::None => add(
            401,
            "Wrong login or password (Decision 2): the same answer, in the same time, for an unknown login.",
            problem(401, "The login or password is wrong."),
        ),
        Auth::Company | Auth::CompanyOrOperator => add(
            401,
            "No credential; a malformed, repeated or conflicting one (Decision 3); or a token that is \
             expired, not ours or otherwise rejected (Decisions 4, 12). Get a new token and retry.",
            problem(401, "The token expired."),
        ),
    }
    match endpoint.auth {
        Auth::None => {}
        Auth::Company => add(
            403,
            "An operator token: this endpoint takes a company token or the API key (Decisions 4, 7). A \
             revoked operator token says so (Decision 9).",
            problem(403, "An operator token may not call this endpoint; use a company credential."),
        ),
        Auth::CompanyOrOperator => add(
            403,
            "A revoked operator token, or one of an operator who is not Active (Decision 9).",
            problem(403, "The token was revoked."),
        ),
    }
    if let Some(description) = details.and_then(|d| d.not_found) {
        add(404, description, problem(404, "No such operator."));
    }
    add(
        405,
        "This path with another method (§4.15); `Allow` names the methods it takes.",
        problem(405, "This path does not take this method; see the Allow header."),
    );
    if endpoint.has_body {
        add(
            413,
            "The body is larger than 1 MiB (Decision 14).",
            problem(413, "The request body is larger than 1 MiB."),
        );
        add(
            415,
            "No `Content-Type`, or one that is not JSON (`application/json` or `application/*+json`, any \
             parameters) (§4.15).",
            problem(415, "The request body must be JSON (Content-Type: application/json)."),
        );
    }
    let too_many = if endpoint.auth == Auth::None {
        "10 failed sign-ins for this login, or from this address, within 60 seconds (Decision 2), or more \
         requests than `--rate-limit` allows (§6): the password was not checked. Wait `Retry-After` seconds."
    } else {
        "Only from a server started with `--rate-limit N`: more than N requests a second from this \
         credential (§6). Wait `Retry-After` seconds."
    };
    add(429, too_many, problem(429, ""));
    add(
        500,
        "A fault of the server; the cause is in its log, never in the body.",
        problem(500, "The server failed to answer this request; the cause is in its log."),
    );
    responses
}

/// `company.get_token` → `companyGetToken`.
fn operation_id(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '.' || c == '_' {
            upper = true;
        } else if upper {
            id.extend(c.to_uppercase());
            upper = false;
        } else {
            id.push(c);
        }
    }
    id
}

/// `GET /health`: not an API endpoint, but part of the document.
pub fn health() -> Operation {
    let schema: RefOr<Schema> = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("status", ObjectBuilder::new().schema_type(Type::String).examples(["Healthy"]))
        .required("status")
        .into();
    OperationBuilder::new()
        .operation_id(Some("health"))
        .tag("health")
        .summary(Some("Is the server up?"))
        .description(Some("200 when the server can reach its database, 503 otherwise (§6). No credential."))
        .responses(
            ResponsesBuilder::new()
                .response(
                    "200",
                    responses::json("The database answers.", schema, Some(serde_json::json!({"status": "Healthy"}))),
                )
                .response(
                    "503",
                    responses::problem(
                        503,
                        "The database cannot be reached.",
                        &examples::problem(503, "The database cannot be reached."),
                    ),
                ),
        )
        .build()
}
