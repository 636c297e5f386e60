//! The document against chathub-types' endpoints, the spec's statuses and
//! its own references; the served document and UI through the real router;
//! snapshots of the document and of every DTO schema.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chathub_types::chat::{delete_chat, get_chat, list_chats, list_messages, send_message, set_chat_status};
use chathub_types::company::{self, list_organizations};
use chathub_types::endpoint::{CHAT_ENDPOINTS, SIMULATOR_ENDPOINTS, TOKEN_ENDPOINTS};
use chathub_types::json::RequestBody;
use chathub_types::operator::{self, list_operators, synchronize_operators, validate_token};
use chathub_types::simulator::{customer_message, message_status};
use chathub_types::{Auth, ENDPOINTS, Endpoint};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::*;

fn document_json() -> Value {
    serde_json::to_value(document()).unwrap()
}

fn operation<'a>(document: &'a Value, endpoint: &Endpoint) -> &'a Value {
    let method = endpoint.method.as_str().to_ascii_lowercase();
    let operation = &document["paths"][endpoint.path][&method];
    assert!(operation.is_object(), "{} {} is missing from the document", endpoint.method, endpoint.path);
    operation
}

fn responses(operation: &Value) -> &serde_json::Map<String, Value> {
    operation["responses"].as_object().unwrap()
}

/// Every endpoint the document of a server with `--simulator` describes.
fn every_endpoint() -> impl Iterator<Item = &'static Endpoint> {
    ENDPOINTS.iter().chain(CHAT_ENDPOINTS).chain(SIMULATOR_ENDPOINTS)
}

/// The answer of the real router to `GET path`, as status, headers, body.
async fn get(path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    get_from(&crate::Config::in_memory(), path).await
}

/// The answer of the real router of a server with `config` to `GET path`.
async fn get_from(config: &crate::Config, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let started = crate::start(config).await.unwrap();
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = crate::app(started.state).oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}

#[test]
fn the_document_has_every_endpoint_of_chathub_types_and_health() {
    let document = document_json();
    let mut expected: Vec<&str> = ENDPOINTS.iter().chain(CHAT_ENDPOINTS).map(|endpoint| endpoint.path).collect();
    expected.extend(["/health", MEDIA_PATH]);
    expected.sort_unstable();
    expected.dedup();
    let paths: Vec<&str> = document["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(paths, expected);
    assert_eq!(ENDPOINTS.len(), 7);
    for endpoint in ENDPOINTS {
        let item = document["paths"][endpoint.path].as_object().unwrap();
        assert_eq!(item.len(), 1, "{}: one method", endpoint.path);
        operation(&document, endpoint);
    }
    assert_eq!(document["info"]["title"], "ChatHub API");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(document["openapi"], "3.1.0");
}

#[test]
fn the_chat_endpoints_are_described_and_the_simulator_only_with_it() {
    let document = document_json();
    for endpoint in CHAT_ENDPOINTS {
        operation(&document, endpoint);
    }
    let chat_item = document["paths"][get_chat::ENDPOINT.path].as_object().unwrap();
    assert_eq!(chat_item.keys().collect::<Vec<_>>(), ["delete", "get"]);
    for endpoint in SIMULATOR_ENDPOINTS {
        assert!(document["paths"][endpoint.path].is_null(), "{} is served only with --simulator", endpoint.name);
    }
    assert!(document["components"]["schemas"]["CustomerMessageRequest"].is_null());
    let tags: Vec<&Value> = document["tags"].as_array().unwrap().iter().map(|tag| &tag["name"]).collect();
    assert_eq!(tags, ["company", "operator", "chat", "health"]);

    let with = serde_json::to_value(document_for(true)).unwrap();
    for endpoint in every_endpoint() {
        operation(&with, endpoint);
    }
    for endpoint in SIMULATOR_ENDPOINTS {
        let described = operation(&with, endpoint);
        assert_eq!(described["tags"], json!(["simulator"]));
        assert!(described["description"].as_str().unwrap().contains("--simulator"), "{}", endpoint.name);
    }
    let mut without = with.clone();
    for endpoint in SIMULATOR_ENDPOINTS {
        without["paths"].as_object_mut().unwrap().remove(endpoint.path);
    }
    assert_eq!(without["paths"], document["paths"], "the simulator adds its paths and changes no other");
}

#[test]
fn chat_paths_name_their_chat_id() {
    let document = document_json();
    let parameters = |endpoint: &Endpoint| operation(&document, endpoint)["parameters"].clone();
    for (endpoint, name) in [
        (&get_chat::ENDPOINT, "id"),
        (&delete_chat::ENDPOINT, "id"),
        (&list_messages::ENDPOINT, "id"),
        (&list_messages::ENDPOINT_BY_CHAT_ID, "chatId"),
        (&send_message::ENDPOINT, "chatId"),
    ] {
        let parameters = parameters(endpoint);
        assert_eq!(parameters.as_array().unwrap().len(), 1, "{}", endpoint.name);
        assert_eq!(parameters[0]["name"], name, "{}", endpoint.name);
        assert_eq!(parameters[0]["in"], "path");
        assert_eq!(parameters[0]["required"], true);
        assert_eq!(parameters[0]["schema"]["$ref"], "#/components/schemas/ChatId");
        let bad = &responses(operation(&document, endpoint))["400"]["content"]["application/problem+json"];
        let named = bad["example"]["errors"][name].is_array();
        assert_eq!(named, !endpoint.has_body, "{}: the 400 example names {name} (a body's, its fields)", endpoint.name);
    }
    assert!(parameters(&set_chat_status::ENDPOINT).is_null());
    let query = parameters(&list_chats::ENDPOINT);
    let names: Vec<&str> = query.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "page",
            "per_page",
            "search",
            "source",
            "date",
            "tg_user_id",
            "phone",
            "status",
            "organizationId",
            "operatorId"
        ]
    );
    assert!(query.as_array().unwrap().iter().all(|p| p["in"] == "query" && p["required"] == false));
    assert_eq!(query[4]["schema"]["type"], "array");
    assert_eq!(query[5]["schema"]["format"], "int64");
}

#[test]
fn the_media_path_needs_no_credential_and_answers_bytes_or_404() {
    let document = document_json();
    let media = &document["paths"][MEDIA_PATH]["get"];
    assert!(media["security"].is_null());
    let names: Vec<&Value> = media["parameters"].as_array().unwrap().iter().map(|p| &p["name"]).collect();
    assert_eq!(names, ["key", "name"]);
    let statuses: Vec<&String> = responses(media).keys().collect();
    assert_eq!(statuses, ["200", "404"]);
    let ok = &responses(media)["200"]["content"]["*/*"];
    assert_eq!(*ok, json!({}), "any bytes, no schema to match");
}

#[test]
fn every_endpoint_has_its_own_details() {
    for endpoint in every_endpoint() {
        assert!(operations::details(endpoint).is_some(), "{} has no details in openapi/operations.rs", endpoint.name);
    }
}

#[test]
fn operation_ids_are_unique_camel_case_names() {
    let document = serde_json::to_value(document_for(true)).unwrap();
    let mut ids: Vec<&str> =
        every_endpoint().map(|e| operation(&document, e)["operationId"].as_str().unwrap()).collect();
    assert_eq!(ids[0], "companyGetToken");
    assert!(ids.contains(&"chatMessagesByChatId"), "{ids:?}");
    ids.extend(["chatMedia", "health"]);
    assert!(ids.iter().all(|id| id.chars().all(char::is_alphanumeric)), "{ids:?}");
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count);
}

#[test]
fn endpoints_with_credentials_take_either_header() {
    let document = document_json();
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(
        schemes["Bearer"],
        json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": schemes["Bearer"]["description"]})
    );
    assert_eq!(schemes["ApiKey"]["type"], "apiKey");
    assert_eq!(schemes["ApiKey"]["in"], "header");
    assert_eq!(schemes["ApiKey"]["name"], "X-Authorization-Key");
    let document = serde_json::to_value(document_for(true)).unwrap();
    for endpoint in every_endpoint() {
        let security = &operation(&document, endpoint)["security"];
        if endpoint.auth == Auth::None {
            assert!(security.is_null(), "{}", endpoint.name);
        } else {
            assert_eq!(*security, json!([{"Bearer": []}, {"ApiKey": []}]), "{}", endpoint.name);
        }
    }
    assert!(document["paths"]["/health"]["get"]["security"].is_null());
}

#[test]
fn token_endpoints_answer_a_json_string_or_plain_text() {
    let document = document_json();
    for endpoint in ENDPOINTS {
        let ok = &responses(operation(&document, endpoint))["200"];
        let content = ok["content"].as_object();
        if TOKEN_ENDPOINTS.contains(endpoint) {
            let content = content.unwrap();
            assert_eq!(content.keys().collect::<Vec<_>>(), ["application/json", "text/plain"], "{}", endpoint.name);
            for media in content.values() {
                assert_eq!(media["schema"]["type"], "string");
            }
            assert!(ok["description"].as_str().unwrap().contains("Decision 1"));
        } else if endpoint == &operator::set_status::ENDPOINT {
            assert!(content.is_none(), "set-status answers an empty body");
        } else {
            assert_eq!(content.unwrap().keys().collect::<Vec<_>>(), ["application/json"], "{}", endpoint.name);
        }
    }
}

#[test]
fn bodies_and_answers_point_at_the_dto_schemas() {
    let document = document_json();
    let request = |endpoint: &Endpoint| {
        operation(&document, endpoint)["requestBody"]["content"]["application/json"]["schema"]["$ref"].clone()
    };
    let answer = |endpoint: &Endpoint| {
        responses(operation(&document, endpoint))["200"]["content"]["application/json"]["schema"].clone()
    };
    let reference = |name: &str| json!(format!("#/components/schemas/{name}"));
    assert_eq!(request(&company::get_token::ENDPOINT), reference("CompanyGetTokenRequest"));
    assert_eq!(request(&synchronize_operators::ENDPOINT), reference("SynchronizeOperatorsRequest"));
    assert_eq!(request(&operator::set_status::ENDPOINT), reference("SetOperatorStatusRequest"));
    assert_eq!(request(&operator::get_token::ENDPOINT), reference("OperatorGetTokenRequest"));
    assert_eq!(request(&validate_token::ENDPOINT), reference("ValidateTokenRequest"));
    for endpoint in ENDPOINTS {
        let body = &operation(&document, endpoint)["requestBody"];
        assert_eq!(body.is_object(), endpoint.has_body, "{}", endpoint.name);
        if endpoint.has_body {
            assert_eq!(body["required"], true);
        }
    }
    let array_of = |name: &str| json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}});
    assert_eq!(answer(&list_organizations::ENDPOINT), array_of("Organization"));
    assert_eq!(answer(&list_operators::ENDPOINT), array_of("Operator"));
    assert_eq!(answer(&synchronize_operators::ENDPOINT), array_of("SynchronizedOperator"));
    assert_eq!(answer(&validate_token::ENDPOINT)["$ref"], reference("ValidateTokenResponse"));
    let synchronize = &document["components"]["schemas"]["SynchronizeOperatorsRequest"];
    assert_eq!(synchronize["type"], "array");
    assert_eq!(synchronize["items"]["$ref"], reference("NewOperator"));
}

#[test]
fn list_operators_takes_an_optional_organization_id() {
    let document = document_json();
    let parameters = operation(&document, &list_operators::ENDPOINT)["parameters"].as_array().unwrap();
    assert_eq!(parameters.len(), 1);
    assert_eq!(parameters[0]["name"], "organizationId");
    assert_eq!(parameters[0]["in"], "query");
    assert_eq!(parameters[0]["required"], false);
    assert_eq!(parameters[0]["schema"]["$ref"], "#/components/schemas/OrganizationId");
    for endpoint in ENDPOINTS.iter().filter(|e| **e != list_operators::ENDPOINT) {
        assert!(operation(&document, endpoint)["parameters"].is_null(), "{}", endpoint.name);
    }
}

#[test]
fn every_error_status_the_spec_names_has_a_problem_body() {
    let document = document_json();
    let statuses =
        |endpoint: &Endpoint| -> Vec<String> { responses(operation(&document, endpoint)).keys().cloned().collect() };
    let expected: [(&Endpoint, &[&str]); 7] = [
        (&company::get_token::ENDPOINT, &["200", "400", "401", "405", "413", "415", "429", "500"]),
        (&list_organizations::ENDPOINT, &["200", "401", "403", "405", "429", "500"]),
        (&list_operators::ENDPOINT, &["200", "400", "401", "403", "405", "429", "500"]),
        (&synchronize_operators::ENDPOINT, &["200", "400", "401", "403", "405", "413", "415", "429", "500"]),
        (&operator::set_status::ENDPOINT, &["200", "400", "401", "403", "404", "405", "413", "415", "429", "500"]),
        (&operator::get_token::ENDPOINT, &["200", "400", "401", "403", "404", "405", "413", "415", "429", "500"]),
        (&validate_token::ENDPOINT, &["200", "400", "401", "403", "405", "413", "415", "429", "500"]),
    ];
    for (endpoint, want) in expected {
        assert_eq!(statuses(endpoint), want, "{}", endpoint.name);
    }
    let document = serde_json::to_value(document_for(true)).unwrap();
    let statuses =
        |endpoint: &Endpoint| -> Vec<String> { responses(operation(&document, endpoint)).keys().cloned().collect() };
    let chat: [(&Endpoint, &[&str]); 9] = [
        (&list_chats::ENDPOINT, &["200", "400", "401", "403", "405", "429", "500"]),
        (&get_chat::ENDPOINT, &["200", "400", "401", "403", "404", "405", "429", "500"]),
        (&set_chat_status::ENDPOINT, &["200", "400", "401", "403", "404", "405", "413", "415", "429", "500"]),
        (&delete_chat::ENDPOINT, &["200", "400", "401", "403", "404", "405", "429", "500"]),
        (&list_messages::ENDPOINT, &["200", "400", "401", "403", "404", "405", "429", "500"]),
        (&list_messages::ENDPOINT_BY_CHAT_ID, &["200", "400", "401", "403", "404", "405", "429", "500"]),
        (&send_message::ENDPOINT, &["200", "400", "401", "403", "404", "405", "413", "415", "429", "500"]),
        (&customer_message::ENDPOINT, &["200", "400", "401", "403", "405", "413", "415", "429", "500"]),
        (&message_status::ENDPOINT, &["200", "400", "401", "403", "404", "405", "413", "415", "429", "500"]),
    ];
    for (endpoint, want) in chat {
        assert_eq!(statuses(endpoint), want, "{}", endpoint.name);
    }
    let large = |endpoint: &Endpoint| responses(operation(&document, endpoint))["413"]["description"].clone();
    assert!(large(&send_message::ENDPOINT).as_str().unwrap().contains("8 MiB"));
    assert!(large(&customer_message::ENDPOINT).as_str().unwrap().contains("8 MiB"));
    assert!(large(&set_chat_status::ENDPOINT).as_str().unwrap().contains("1 MiB"));
    let operator_403 = |endpoint: &Endpoint| responses(operation(&document, endpoint))["403"]["description"].clone();
    assert!(operator_403(&delete_chat::ENDPOINT).as_str().unwrap().contains("An operator token"));
    let mut operations: Vec<&Value> = every_endpoint().map(|e| operation(&document, e)).collect();
    operations.push(&document["paths"]["/health"]["get"]);
    operations.push(&document["paths"][MEDIA_PATH]["get"]);
    for operation in operations {
        for (status, response) in
            responses(operation).iter().filter(|(status, _)| status.parse::<u16>().unwrap() >= 400)
        {
            let id = &operation["operationId"];
            let content = response["content"].as_object().unwrap();
            assert_eq!(content.keys().collect::<Vec<_>>(), ["application/problem+json"], "{id} {status}");
            let problem = &content["application/problem+json"];
            assert_eq!(problem["schema"]["$ref"], "#/components/schemas/ProblemDetails", "{id} {status}");
            assert_eq!(problem["example"]["status"].as_u64().unwrap().to_string(), *status, "{id} {status}");
            assert!(!response["description"].as_str().unwrap().is_empty());
            let header = |name: &str| response["headers"][name]["schema"]["type"].clone();
            match status.as_str() {
                "401" => assert_eq!(header("WWW-Authenticate"), "string", "{id}"),
                "405" => assert_eq!(header("Allow"), "string", "{id}"),
                "429" => assert_eq!(header("Retry-After"), "integer", "{id}"),
                _ => assert!(response["headers"].is_null(), "{id} {status}"),
            }
        }
    }
}

#[test]
fn problem_examples_come_from_the_types_rules() {
    let document = serde_json::to_value(document_for(true)).unwrap();
    for endpoint in every_endpoint() {
        let responses = responses(operation(&document, endpoint));
        if let Some(bad) = responses.get("400") {
            let errors = bad["content"]["application/problem+json"]["example"]["errors"].as_object();
            assert!(errors.is_some_and(|e| !e.is_empty()), "{}: the 400 example names no field", endpoint.name);
        }
        let too_many = &responses["429"]["content"]["application/problem+json"]["example"];
        assert_eq!(too_many["error"], "Too Many Requests");
    }
}

/// The examples are values of the DTOs, so the types read them back (and
/// request examples pass the input rules).
#[test]
fn examples_are_valid_values_of_their_types() {
    fn request<T: RequestBody>(example: Option<Value>) {
        let bytes = serde_json::to_vec(&example.unwrap()).unwrap();
        T::decode(&bytes).unwrap_or_else(|errors| panic!("{}: {errors:?}", std::any::type_name::<T>()));
    }
    fn answer<T: serde::de::DeserializeOwned + serde::Serialize>(example: Option<Value>) {
        let example = example.unwrap();
        let read: T = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(serde_json::to_value(read).unwrap(), example);
    }
    request::<company::get_token::Request>(examples::company_sign_in());
    request::<synchronize_operators::Request>(examples::new_operators());
    request::<operator::set_status::Request>(examples::set_status());
    request::<operator::get_token::Request>(examples::operator_token_request());
    request::<validate_token::Request>(examples::validate_token_request());
    answer::<list_organizations::Response>(examples::organizations());
    answer::<list_operators::Response>(examples::operators());
    answer::<synchronize_operators::Response>(examples::synchronized_operators());
    answer::<validate_token::Response>(examples::valid_token());
    answer::<validate_token::Response>(examples::expired_token());
    request::<set_chat_status::Request>(examples::set_chat_status());
    request::<send_message::Request>(examples::send_message());
    request::<customer_message::Request>(examples::customer_message());
    request::<message_status::Request>(examples::set_message_status());
    answer::<list_chats::Response>(examples::chats());
    answer::<get_chat::Response>(examples::chat());
    answer::<list_messages::Response>(examples::messages());
    answer::<send_message::Response>(examples::sent_message());
    answer::<customer_message::Response>(examples::customer_message_answer());
}

#[test]
fn every_reference_resolves_to_a_component() {
    fn references<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| references(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| references(v, found)),
            _ => {}
        }
    }
    let document = serde_json::to_value(document_for(true)).unwrap();
    let mut found = Vec::new();
    references(&document, &mut found);
    assert!(found.len() > 20);
    let components = document["components"]["schemas"].as_object().unwrap();
    for target in found {
        let name = target.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("odd $ref {target}"));
        assert!(components.contains_key(name), "{target} does not resolve");
    }
}

#[test]
fn component_names_are_unique_and_never_bare_request_or_response() {
    let all = schemas::all(true);
    let with_simulator = serde_json::to_value(document_for(true)).unwrap();
    let components = with_simulator["components"]["schemas"].as_object().unwrap().clone();
    for (name, schema) in &all {
        assert_ne!(name, "Request");
        assert_ne!(name, "Response");
        assert_eq!(components[name], serde_json::to_value(schema).unwrap(), "two different schemas named {name}");
    }
    assert_eq!(components.len(), COMPONENTS + 4);
    assert_eq!(document_json()["components"]["schemas"].as_object().unwrap().len(), COMPONENTS);
}

#[test]
fn problem_details_describe_the_wire_names() {
    let document = document_json();
    let problem = &document["components"]["schemas"]["ProblemDetails"];
    let properties: Vec<&String> = problem["properties"].as_object().unwrap().keys().collect();
    assert_eq!(properties, ["detail", "errors", "status", "title", "type"]);
    assert!(!problem["description"].as_str().unwrap().contains("```"), "Rust examples stay out of the document");
}

/// The components of a server without `--simulator`.
const COMPONENTS: usize = 31;

#[tokio::test]
async fn the_served_document_is_the_generated_one_with_the_seven_paths() {
    let (status, headers, body) = get(DOCUMENT_PATH).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let served: Value = serde_json::from_slice(&body).unwrap();
    for endpoint in ENDPOINTS {
        operation(&served, endpoint);
    }
    assert_eq!(served["paths"].as_object().unwrap().len(), ENDPOINTS.len() + CHAT_ENDPOINTS.len() - 1 + 2);
    assert_eq!(served, document_json());
}

#[tokio::test]
async fn a_server_with_the_simulator_serves_the_document_with_it() {
    let config = crate::Config { simulator: true, ..crate::Config::in_memory() };
    let (status, _, body) = get_from(&config, DOCUMENT_PATH).await;
    assert_eq!(status, StatusCode::OK);
    let served: Value = serde_json::from_slice(&body).unwrap();
    for endpoint in SIMULATOR_ENDPOINTS {
        operation(&served, endpoint);
    }
    assert_eq!(served, serde_json::to_value(document_for(true)).unwrap());
}

#[tokio::test]
async fn swagger_and_index_html_lead_to_the_ui() {
    for path in ["/swagger", "/index.html"] {
        let (status, headers, _) = get(path).await;
        assert!(status.is_redirection(), "{path}: {status}");
        assert_eq!(headers[header::LOCATION], "/swagger/", "{path}");
    }
    let (status, headers, page) = get("/swagger/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains(r#"src="./swagger-ui-bundle.js""#), "{page}");
    assert!(!page.contains("//"), "the page loads nothing from another host: {page}");
}

#[tokio::test]
async fn the_ui_assets_come_from_the_binary_and_point_at_the_document() {
    let (status, _, script) = get("/swagger/swagger-initializer.js").await;
    assert_eq!(status, StatusCode::OK);
    let script = String::from_utf8(script).unwrap();
    assert!(script.contains(&format!(r#""url": "{DOCUMENT_PATH}""#)), "{script}");
    assert!(script.contains(r#""validatorUrl": "none""#), "no call to the online validator: {script}");
    for asset in ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "index.css"] {
        let (status, _, body) = get(&format!("/swagger/{asset}")).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(body.len() > 100, "{asset}");
    }
    let (status, headers, _) = get("/swagger/no-such-asset.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
}

#[test]
fn document_snapshot() {
    insta::assert_json_snapshot!("document", document(), { ".info.version" => "[version]" });
}

/// What `--simulator` adds: its paths (the rest is the document above).
#[test]
fn simulator_paths_snapshot() {
    let document = serde_json::to_value(document_for(true)).unwrap();
    let paths: serde_json::Map<String, Value> =
        SIMULATOR_ENDPOINTS.iter().map(|e| (e.path.to_owned(), document["paths"][e.path].clone())).collect();
    insta::assert_json_snapshot!("simulator_paths", paths);
}

#[test]
fn dto_schema_snapshots() {
    let document = serde_json::to_value(document_for(true)).unwrap();
    let components = document["components"]["schemas"].as_object().unwrap();
    for (name, schema) in components {
        insta::assert_json_snapshot!(format!("schema_{name}"), schema);
    }
}
