//! A small validator for the JSON Schema subset OpenAPI documents use
//! (3.0 and 3.1): `$ref`, `type` (with `nullable`), `enum`, `const`,
//! `properties`, `required`, `additionalProperties`, `items`, `allOf`,
//! `anyOf`, `oneOf`, lengths and bounds, and the `int32`/`int64` formats.
//! Unknown keywords are ignored, as JSON Schema says.

use serde_json::Value;

/// How deep `$ref`s may nest before the schema counts as cyclic.
const MAX_DEPTH: usize = 64;

/// What the document says about one answer.
#[derive(Debug, PartialEq)]
pub enum Described<'a> {
    /// The operation (path and method) is not in the document.
    UnknownOperation,
    /// The operation does not document this status (nor `default`).
    UndocumentedStatus,
    /// The status is documented without a body.
    NoContent,
    /// The status is documented with bodies, but not of this media type.
    UndocumentedMediaType(Vec<String>),
    /// The schema the body must match.
    Schema(&'a Value),
}

/// Looks up the schema of the answer to `method path` with `status` and `media_type`.
pub fn describe<'a>(document: &'a Value, method: &str, path: &str, status: u16, media_type: &str) -> Described<'a> {
    let Some(operation) = find_path(document, path).and_then(|item| item.get(method.to_ascii_lowercase())) else {
        return Described::UnknownOperation;
    };
    let responses = &operation["responses"];
    let status_text = status.to_string();
    let wildcard = format!("{}XX", status / 100);
    let response = [status_text.as_str(), wildcard.as_str(), "default"].into_iter().find_map(|key| responses.get(key));
    let Some(response) = response.map(|r| resolve(document, r)) else { return Described::UndocumentedStatus };
    let Some(content) = response.get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) else {
        return Described::NoContent;
    };
    let found = content.iter().find(|(key, _)| {
        let key = key.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        key == media_type || key == "*/*" || (key.ends_with("/*") && media_type.starts_with(&key[..key.len() - 1]))
    });
    match found {
        Some((_, entry)) => entry.get("schema").map_or(Described::NoContent, Described::Schema),
        None => Described::UndocumentedMediaType(content.keys().cloned().collect()),
    }
}

/// The path item for `path`, matching `{parameters}` as whole segments.
fn find_path<'a>(document: &'a Value, path: &str) -> Option<&'a Value> {
    let paths = document.get("paths")?.as_object()?;
    if let Some(item) = paths.get(path) {
        return Some(item);
    }
    let segments: Vec<&str> = path.split('/').collect();
    paths.iter().find_map(|(template, item)| {
        let parts: Vec<&str> = template.split('/').collect();
        let fits = parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(part, segment)| (part.starts_with('{') && part.ends_with('}')) || part == segment);
        fits.then_some(item)
    })
}

/// Follows a local `$ref` (`#/components/...`), once.
fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => document.pointer(pointer).unwrap_or(value),
        None => value,
    }
}

/// Every way `value` breaks `schema`, each as `<JSON path>: <why>`.
pub fn validate(document: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(document, schema, value, "$", 0, &mut errors);
    errors
}

fn check(document: &Value, schema: &Value, value: &Value, at: &str, depth: usize, errors: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        errors.push(format!("{at}: the schema nests $refs more than {MAX_DEPTH} deep"));
        return;
    }
    let Some(rules) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            errors.push(format!("{at}: no value is allowed here"));
        }
        return;
    };
    if let Some(reference) = rules.get("$ref").and_then(Value::as_str) {
        match reference.strip_prefix('#').and_then(|pointer| document.pointer(pointer)) {
            Some(target) => check(document, target, value, at, depth + 1, errors),
            None => errors.push(format!("{at}: the schema's $ref {reference} leads nowhere")),
        }
    }
    if value.is_null() && rules.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    if let Some(types) = rules.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !allowed.is_empty() && !allowed.iter().any(|t| has_type(value, t)) {
            errors.push(format!("{at}: {} is not of type {}", kind(value), allowed.join(" or ")));
            return;
        }
    }
    if let Some(options) = rules.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {}", Value::Array(options.clone())));
    }
    if let Some(constant) = rules.get("const")
        && constant != value
    {
        errors.push(format!("{at}: {value} is not {constant}"));
    }
    check_combinators(document, rules, value, at, depth, errors);
    match value {
        Value::Object(object) => {
            let properties = rules.get("properties").and_then(Value::as_object);
            for name in rules.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                if !object.contains_key(name) {
                    errors.push(format!("{at}: the required member {name} is missing"));
                }
            }
            for (name, member) in object {
                let member_at = format!("{at}.{name}");
                match properties.and_then(|p| p.get(name)) {
                    Some(member_schema) => check(document, member_schema, member, &member_at, depth + 1, errors),
                    None => match rules.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            errors.push(format!("{at}: the member {name} is not in the schema"))
                        }
                        Some(extra @ Value::Object(_)) => check(document, extra, member, &member_at, depth + 1, errors),
                        _ => {}
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = rules.get("items") {
                for (index, item) in items.iter().enumerate() {
                    check(document, item_schema, item, &format!("{at}[{index}]"), depth + 1, errors);
                }
            }
            bound(rules, "minItems", "maxItems", items.len() as f64, at, "items", errors);
        }
        Value::String(text) => {
            bound(rules, "minLength", "maxLength", text.chars().count() as f64, at, "characters", errors);
            if rules.get("format").and_then(Value::as_str) == Some("date-time")
                && chrono::DateTime::parse_from_rfc3339(text).is_err()
            {
                errors.push(format!("{at}: {text:?} is not an RFC 3339 date-time"));
            }
        }
        Value::Number(number) => {
            if let Some(n) = number.as_f64() {
                bound(rules, "minimum", "maximum", n, at, "as a value", errors);
            }
            let range = match rules.get("format").and_then(Value::as_str) {
                Some("int32") => Some((f64::from(i32::MIN), f64::from(i32::MAX))),
                Some("int64") => Some((i64::MIN as f64, i64::MAX as f64)),
                _ => None,
            };
            if let (Some((low, high)), Some(n)) = (range, number.as_f64())
                && !(low..=high).contains(&n)
            {
                errors.push(format!("{at}: {number} is out of the format's range"));
            }
        }
        _ => {}
    }
}

fn check_combinators(
    document: &Value,
    rules: &serde_json::Map<String, Value>,
    value: &Value,
    at: &str,
    depth: usize,
    errors: &mut Vec<String>,
) {
    for schema in rules.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        check(document, schema, value, at, depth + 1, errors);
    }
    for keyword in ["anyOf", "oneOf"] {
        let Some(options) = rules.get(keyword).and_then(Value::as_array) else { continue };
        let fitting = options
            .iter()
            .filter(|schema| {
                let mut inner = Vec::new();
                check(document, schema, value, at, depth + 1, &mut inner);
                inner.is_empty()
            })
            .count();
        let fits = if keyword == "anyOf" { fitting >= 1 } else { fitting == 1 };
        if !fits {
            errors.push(format!("{at}: {} fits {fitting} of the {} schemas of {keyword}", kind(value), options.len()));
        }
    }
}

fn bound(
    rules: &serde_json::Map<String, Value>,
    min: &str,
    max: &str,
    n: f64,
    at: &str,
    unit: &str,
    errors: &mut Vec<String>,
) {
    if let Some(low) = rules.get(min).and_then(Value::as_f64)
        && n < low
    {
        errors.push(format!("{at}: {n} {unit} is below {min} {low}"));
    }
    if let Some(high) = rules.get(max).and_then(Value::as_f64)
        && n > high
    {
        errors.push(format!("{at}: {n} {unit} is above {max} {high}"));
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0),
        _ => true,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document() -> Value {
        json!({
            "paths": {
                "/api/operator": {"get": {"responses": {
                    "200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Operator"}}}}},
                    "400": {"$ref": "#/components/responses/Problem"},
                }}},
                "/api/items/{id}": {"post": {"responses": {"200": {"description": "empty"}}}},
            },
            "components": {
                "schemas": {
                    "Operator": {"type": "object", "required": ["id", "name"], "additionalProperties": false, "properties": {
                        "id": {"type": "integer", "format": "int32"},
                        "name": {"type": "string", "maxLength": 3},
                        "error": {"type": ["string", "null"]},
                        "status": {"oneOf": [{"type": "integer", "enum": [0, 1]}, {"type": "integer", "minimum": 5}]},
                    }},
                },
                "responses": {"Problem": {"content": {"application/problem+json": {"schema": {"type": "object", "required": ["type"]}}}}},
            },
        })
    }

    #[test]
    fn lookups_follow_paths_statuses_and_media_types() {
        let doc = document();
        assert!(matches!(describe(&doc, "GET", "/api/operator", 200, "application/json"), Described::Schema(_)));
        assert!(matches!(
            describe(&doc, "GET", "/api/operator", 400, "application/problem+json"),
            Described::Schema(_)
        ));
        assert_eq!(describe(&doc, "GET", "/api/operator", 401, "application/json"), Described::UndocumentedStatus);
        assert_eq!(describe(&doc, "POST", "/api/operator", 200, "application/json"), Described::UnknownOperation);
        assert_eq!(describe(&doc, "POST", "/api/items/7", 200, ""), Described::NoContent);
        assert_eq!(
            describe(&doc, "GET", "/api/operator", 400, "application/json"),
            Described::UndocumentedMediaType(vec!["application/problem+json".to_owned()])
        );
    }

    #[test]
    fn values_are_checked_member_by_member() {
        let doc = document();
        let Described::Schema(schema) = describe(&doc, "GET", "/api/operator", 200, "application/json") else {
            panic!()
        };
        assert!(validate(&doc, schema, &json!([{"id": 1, "name": "abc", "error": null, "status": 6}])).is_empty());
        let mut errors = validate(
            &doc,
            schema,
            &json!([{"id": 3_000_000_000_u64, "name": "abcd", "extra": 1, "status": 3}, {"name": 5}]),
        );
        errors.sort();
        assert_eq!(
            errors,
            [
                "$[0].id: 3000000000 is out of the format's range",
                "$[0].name: 4 characters is above maxLength 3",
                "$[0].status: a number fits 0 of the 2 schemas of oneOf",
                "$[0]: the member extra is not in the schema",
                "$[1].name: a number is not of type string",
                "$[1]: the required member id is missing",
            ]
        );
    }

    /// Every example of the committed document (docs/openapi.json, which CI
    /// keeps equal to the served one) matches its schema, and a broken copy
    /// of each does not: the validator reads what utoipa writes.
    #[test]
    fn the_documents_examples_match_their_schemas() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    let response = resolve(&doc, response);
                    for (media, content) in response["content"].as_object().into_iter().flatten() {
                        let examples = content["examples"].as_object().into_iter().flatten().map(|(_, e)| &e["value"]);
                        for example in content.get("example").into_iter().chain(examples) {
                            let schema = &content["schema"];
                            let at = format!("{method} {path} {status} {media}");
                            assert_eq!(validate(&doc, schema, example), Vec::<String>::new(), "{at}: {example}");
                            let broken = match example {
                                Value::String(_) => json!(42),
                                Value::Array(_) => json!([{"unexpected": true}]),
                                _ => json!(["not", "an", "object"]),
                            };
                            assert!(!validate(&doc, schema, &broken).is_empty(), "{at} accepts {broken}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked >= 10, "only {checked} examples");
    }

    #[test]
    fn dates_must_be_rfc_3339() {
        let schema = json!({"type": "string", "format": "date-time"});
        assert!(validate(&json!({}), &schema, &json!("2025-12-31T23:59:59Z")).is_empty());
        assert_eq!(validate(&json!({}), &schema, &json!("tomorrow")).len(), 1);
    }

    #[test]
    fn cyclic_refs_end() {
        let doc = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}});
        let errors = validate(&doc, &json!({"$ref": "#/components/schemas/A"}), &json!(1));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("more than 64 deep"));
    }
}
