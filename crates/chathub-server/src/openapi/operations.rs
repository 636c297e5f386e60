//! One operation per endpoint of `chathub_types::ENDPOINTS`: the metadata
//! (method, path, auth, body) decides the security and the error statuses;
//! [`details`] adds what the metadata cannot say (schemas, examples, words).

use chathub_types::company::{self, list_organizations};
use chathub_types::operator::list_operators;
use chathub_types::{Auth, Endpoint, OrganizationId};
use utoipa::openapi::path::{Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
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
    /// Its query parameters (path parameters come from the path).
    query: Vec<Parameter>,
}

/// The details of `endpoint`, or `None` for an endpoint this module does
/// not know yet (a test keeps that list empty).
pub fn details(endpoint: &Endpoint) -> Option<Details> {
    operator_details(endpoint).or_else(|| chat_details(endpoint)).or_else(|| simulator_details(endpoint))
}

fn operator_details(endpoint: &Endpoint) -> Option<Details> {
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
            query: Vec::new(),
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
            query: Vec::new(),
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
            query: vec![
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
            ],
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
            query: Vec::new(),
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
            query: Vec::new(),
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
            query: Vec::new(),
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
            query: Vec::new(),
        },
        _ => return None,
    })
}

fn chat_details(endpoint: &Endpoint) -> Option<Details> {
    use chathub_types::chat::{delete_chat, get_chat, list_chats, list_messages, send_message, set_chat_status};
    let messages = |id: &str, description: &'static str| Details {
        summary: "A chat's messages",
        description,
        request: None,
        success: responses::json(
            "Every message of the chat, oldest first, no paging (Decision 24).",
            schemas::list_of::<list_messages::Response>(),
            examples::messages(),
        ),
        bad_request: Some((
            "The chat id in the path is not an integer in the 32-bit range (Decision 23).",
            examples::rejected_id("abc", id),
        )),
        not_found: Some(CHAT_NOT_FOUND),
        query: Vec::new(),
    };
    Some(match *endpoint {
        list_chats::ENDPOINT => Details {
            summary: "Chats, filtered and paged",
            description: "The chats the caller may see (Decision 20: a company credential every chat of the \
                company, an operator token every chat of its organization, assigned or not), newest id first, \
                one page of them with `total` counting every match (Decision 21). Filters AND; unknown \
                parameters are ignored; names match without regard to case; for a repeated parameter (but \
                `date`) the first value counts.",
            request: None,
            success: responses::json(
                "The number of matching chats and one page of them.",
                schemas::reference(schemas::CHAT_LIST_RESPONSE),
                examples::chats(),
            ),
            bad_request: Some((
                "`page` is not an integer from 1, `per_page` not one from 1 to 100, an integer filter is not \
                 an integer, or `date` is given more than twice, unreadable or reversed (Decision 21); every \
                 bad parameter is named.",
                examples::rejected_chat_query("page=0&per_page=101"),
            )),
            not_found: None,
            query: chat_list_parameters(),
        },
        get_chat::ENDPOINT => Details {
            summary: "One chat",
            description: "The chat, in the one shape of Decision 18 (our extension of the vendor's API).",
            request: None,
            success: responses::json("The chat.", schemas::reference_to::<get_chat::Response>(), examples::chat()),
            bad_request: Some((
                "The id in the path is not an integer in the 32-bit range (Decision 23).",
                examples::rejected_id("abc", "id"),
            )),
            not_found: Some(CHAT_NOT_FOUND),
            query: Vec::new(),
        },
        set_chat_status::ENDPOINT => Details {
            summary: "Set a chat's status",
            description: "Sets a chat's status: 0 New, 1 Open, 2 Waiting, 3 OnPause, 4 Closed; any status may \
                follow any other, so Closed chats reopen (Decisions 16, 22). A change emits \
                `ChatStatusChanged` on the hub; the same status emits nothing.",
            request: Some((schemas::SET_CHAT_STATUS_REQUEST, examples::set_chat_status())),
            success: responses::empty("The status is set; the body is empty."),
            bad_request: Some((
                "The body is malformed, or `status` is not 0-4 (Decision 22).",
                examples::rejected::<set_chat_status::Request>(r#"{"id": 123, "status": 7}"#),
            )),
            not_found: Some(CHAT_NOT_FOUND),
            query: Vec::new(),
        },
        delete_chat::ENDPOINT => Details {
            summary: "Delete a chat",
            description: "Deletes a chat for good: its messages and media go with it, every path naming them \
                answers 404 and lists omit them; no event (Decision 23). Operator tokens are refused (403) \
                before any other check: deleting destroys history (Decision 20).",
            request: None,
            success: responses::empty("The chat is gone; the body is empty (clients also take `\"OK\"`)."),
            bad_request: Some((
                "The id in the path is not an integer in the 32-bit range (Decision 23).",
                examples::rejected_id("abc", "id"),
            )),
            not_found: Some(CHAT_NOT_FOUND),
            query: Vec::new(),
        },
        list_messages::ENDPOINT => messages(
            "id",
            "Every message of the chat, oldest first, no paging (Decision 24); \
             `GET /api/chat/{chatId}/messages` answers alike.",
        ),
        list_messages::ENDPOINT_BY_CHAT_ID => messages(
            "chatId",
            "Every message of the chat `chatId`, oldest first, no paging (Decision 24); \
             `GET /api/chat/chats/{id}/messages` answers alike.",
        ),
        send_message::ENDPOINT => Details {
            summary: "Reply in a chat",
            description: "Writes an operator's reply (Decision 25): `textMessage` at most 4,096 characters, \
                blank only with `media` (Decision 26); `author` may be omitted and must otherwise be 0. \
                Answers the message with status 1. Then an unassigned chat goes to the sending operator (only \
                an operator token's reply assigns), the chat's New client messages turn Read \
                (`MessageStatusChanged` each) and `ReceiveMessage` (or `ReceiveMediaMessage`) follows on the \
                hub. Media is served at its `uri` without a credential (Decision 27).",
            request: Some((schemas::SEND_MESSAGE_REQUEST, examples::send_message())),
            success: responses::json(
                "The stored message, status 1 (Decision 19).",
                schemas::reference_to::<send_message::Response>(),
                examples::sent_message(),
            ),
            bad_request: Some((
                "The body is malformed or breaks Decisions 25-26 (named: `$.textMessage`, `$.author`, \
                 `$.media.<field>`); the chat id is not an integer (`chatId`); or the chat is Closed (400 \
                 naming `chatId`, after the 404 check). Body errors come before 404.",
                examples::rejected::<send_message::Request>(r#"{"textMessage": "  ", "author": 1}"#),
            )),
            not_found: Some(CHAT_NOT_FOUND),
            query: Vec::new(),
        },
        _ => return None,
    })
}

/// The 404 of every chat path (Decisions 20, 23).
const CHAT_NOT_FOUND: &str = "No such chat, or one the caller may not see (another company's; for an operator token, another \
     organization's) (Decision 20).";

/// The query parameters of `GET /api/chat/chats` (Decision 21).
fn chat_list_parameters() -> Vec<Parameter> {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, SchemaFormat};
    let integer = |format: KnownFormat| -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::Integer).format(Some(SchemaFormat::KnownFormat(format))).into()
    };
    let string = || -> RefOr<Schema> { ObjectBuilder::new().schema_type(Type::String).into() };
    let parameter = |name: &str, description: &str, schema: RefOr<Schema>, example: serde_json::Value| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(schema))
            .example(Some(example))
            .build()
    };
    vec![
        parameter("page", "The page, from 1 (default 1).", integer(KnownFormat::Int32), 1.into()),
        parameter("per_page", "Chats per page, 1-100 (default 20).", integer(KnownFormat::Int32), 20.into()),
        parameter(
            "search",
            "A substring, matched without regard to case (Unicode), of the theme, the client's name or \
             phone; empty: ignored.",
            string(),
            "olena".into(),
        ),
        parameter(
            "source",
            "Only chats on this messenger (0 Viber, 1 ViberBot, 2 TelegramBot, 3 WhatsApp, 4 Widget, \
             5 Instagram, 6 Facebook, 7 Rozetka, 8 PromUa).",
            integer(KnownFormat::Int32),
            2.into(),
        ),
        ParameterBuilder::new()
            .name("date")
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(
                "On `createdAt`, at most twice. Once: a date is that UTC day, a date-time from then on. \
                 Twice: from the first up to the second (a date meaning that day's end), so \
                 `?date=2026-01-28&date=2026-01-29` is two days.",
            ))
            .schema(Some(ArrayBuilder::new().items(string()).max_items(Some(2))))
            .explode(Some(true))
            .example(Some(serde_json::json!(["2026-01-28", "2026-01-29"])))
            .build(),
        parameter(
            "tg_user_id",
            "Only chats of the client with this Telegram user id (64-bit).",
            integer(KnownFormat::Int64),
            7_012_345_678_i64.into(),
        ),
        parameter(
            "phone",
            "Only chats of the client with the same digits (` +-()` ignored); no digits: nothing matches.",
            string(),
            "380501234567".into(),
        ),
        parameter(
            "status",
            "Only chats with this status (0 New, 1 Open, 2 Waiting, 3 OnPause, 4 Closed).",
            integer(KnownFormat::Int32),
            1.into(),
        ),
        parameter(
            "organizationId",
            "Only chats of this organization.",
            schemas::reference_to::<OrganizationId>(),
            24.into(),
        ),
        parameter(
            "operatorId",
            "Only chats assigned to this operator.",
            schemas::reference_to::<chathub_types::OperatorId>(),
            21.into(),
        ),
    ]
}

fn simulator_details(endpoint: &Endpoint) -> Option<Details> {
    use chathub_types::simulator::{customer_message, message_status};
    Some(match *endpoint {
        customer_message::ENDPOINT => Details {
            summary: "A simulated customer writes",
            description: "A messenger user of one of the caller's organizations writes, as a real one would \
                through a messenger (Decision 31). The client is found within the company by phone, else \
                `tgUserId`, else created; the message (author 1, New) joins the newest non-Closed chat of \
                that organization, client and source, or opens one (`ChatCreated`); its receive event \
                follows. Served only by a server started with `--simulator` (§7.4).",
            request: Some((schemas::CUSTOMER_MESSAGE_REQUEST, examples::customer_message())),
            success: responses::json(
                "The chat as it is now, the message, and whether the message opened the chat.",
                schemas::reference(schemas::CUSTOMER_MESSAGE_RESPONSE),
                examples::customer_message_answer(),
            ),
            bad_request: Some((
                "The body is malformed or breaks Decisions 25, 26 or 31: the organization is not the \
                 caller's, `source` is not 0-8, neither a phone (7-15 digits) nor `tgUserId` is given.",
                examples::rejected::<customer_message::Request>(
                    r#"{"organizationId": 24, "source": 9, "client": {}, "textMessage": "Hi"}"#,
                ),
            )),
            not_found: None,
            query: Vec::new(),
        },
        message_status::ENDPOINT => Details {
            summary: "A messenger reports a message's status",
            description: "Sets a message's status (0 New, 1 Success, 2 Rejected, 3 Read) as a messenger would; \
                a change emits `MessageStatusChanged` (Decision 32). Served only by a server started with \
                `--simulator` (§7.4).",
            request: Some((schemas::SET_MESSAGE_STATUS_REQUEST, examples::set_message_status())),
            success: responses::empty("The status is set; the body is empty."),
            bad_request: Some((
                "The body is malformed, or `status` is not 0-3 (Decision 32).",
                examples::rejected::<message_status::Request>(r#"{"id": 9002, "status": 7}"#),
            )),
            not_found: Some("No such message, or another company's (Decision 32)."),
            query: Vec::new(),
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
    for name in endpoint.path.split('/').filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}')) {
        builder = builder.parameter(path_parameter(name, endpoint));
    }
    for query in details.as_ref().map(|d| d.query.clone()).unwrap_or_default() {
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

/// A `{name}` segment of `endpoint`'s path: a chat id (the only kind there is).
fn path_parameter(name: &str, endpoint: &Endpoint) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(format!(
            "The chat's id: an integer in the 32-bit range, else 400 naming `{name}` (Decision 23).{}",
            if endpoint.auth == Auth::Company { " An operator token gets 403 first." } else { "" }
        )))
        .schema(Some(schemas::reference_to::<chathub_types::ChatId>()))
        .example(Some(123.into()))
        .build()
}

/// The largest body `endpoint` takes, in MiB: 8 for bodies that create
/// messages (Decision 26), else 1 (Decision 14).
fn body_limit_mib(endpoint: &Endpoint) -> u8 {
    use chathub_types::chat::send_message;
    use chathub_types::simulator::customer_message;
    if *endpoint == send_message::ENDPOINT || *endpoint == customer_message::ENDPOINT { 8 } else { 1 }
}

/// The `detail` of `endpoint`'s 404 example.
fn not_found_detail(endpoint: &Endpoint) -> &'static str {
    match endpoint.name.split_once('.') {
        Some(("chat", _)) => "No such chat.",
        Some(("simulator", _)) => "No such message.",
        _ => "No such operator.",
    }
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
        add(404, description, problem(404, not_found_detail(endpoint)));
    }
    add(
        405,
        "This path with another method (§4.15); `Allow` names the methods it takes.",
        problem(405, "This path does not take this method; see the Allow header."),
    );
    if endpoint.has_body {
        let limit = body_limit_mib(endpoint);
        let decision = if limit == 1 { "Decision 14" } else { "Decisions 14, 26" };
        add(
            413,
            &format!("The body is larger than {limit} MiB ({decision})."),
            problem(413, &format!("The request body is larger than {limit} MiB.")),
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

/// `GET /media/{key}/{name}` (Decision 27): the bytes of a message's media.
pub fn media() -> Operation {
    let string = || -> RefOr<Schema> { ObjectBuilder::new().schema_type(Type::String).into() };
    let parameter = |name: &str, description: &str, example: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .description(Some(description))
            .schema(Some(string()))
            .example(Some(example.into()))
            .build()
    };
    let served = utoipa::openapi::ResponseBuilder::new()
        .description(
            "The stored bytes, as sent, with the stored `Content-Type` (a MIME type of Decision 26), \
             `X-Content-Type-Options: nosniff` and a sandboxing `Content-Security-Policy`. Any bytes: no \
             schema.",
        )
        .content("*/*", ContentBuilder::new().build())
        .build();
    OperationBuilder::new()
        .operation_id(Some("chatMedia"))
        .tag("chat")
        .summary(Some("A message's media"))
        .description(Some(
            "The media of a message, at the `uri` its message shows (Decision 27). No credential: the \
             128-bit key is unguessable, so an `<img>` can load it. The name is one percent-encoded path \
             segment; a key or name that does not match the stored one answers 404, as does media whose \
             chat was deleted. HTML and SVG are never served.",
        ))
        .parameter(parameter("key", "The media's random key.", "Zk3qW2x9bV4tYp8rN1mQsA"))
        .parameter(parameter("name", "The media's file name, percent-encoded.", "p.jpg"))
        .responses(ResponsesBuilder::new().response("200", served).response(
            "404",
            responses::problem(
                404,
                "No such media, or a name that differs from the stored one.",
                &examples::problem(404, "No such media."),
            ),
        ))
        .build()
}
