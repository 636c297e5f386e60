//! Reading JSON bodies as the spec asks (Decision 5, §4.15).
//!
//! - Property names of our types match case-insensitively (`OrganizationId`
//!   binds `organizationId`), as ASP.NET binds them; unknown ones are ignored.
//! - Numbers must be JSON integers in range; strings must be strings.
//! - Every error names its JSON path (`$[2].name`), including missing fields.
//!
//! Map-typed data (such as a problem body's `errors`) keeps its keys as sent:
//! only the field names of structs are matched without regard to case.

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::validation::{Validate, ValidationErrors};

/// Parses bytes as JSON and reads a `T` from them, naming the path of the
/// first problem.
///
/// ```
/// use chathub_types::{json, operator::set_status};
/// let err = json::from_slice::<set_status::Request>(br#"{"ID": "104", "status": 1}"#).unwrap_err();
/// assert!(err.names("$.id"));
/// let err = json::from_slice::<set_status::Request>(br#"{"status": 1}"#).unwrap_err();
/// assert!(err.names("$.id"));
/// ```
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ValidationErrors> {
    from_value(&parse(bytes)?)
}

/// Parses bytes as a JSON value (UTF-8, standard JSON).
pub fn parse(bytes: &[u8]) -> Result<Value, ValidationErrors> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(ValidationErrors::single("$", "The request body is not valid UTF-8."));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ValidationErrors::single("$", "A non-empty request body is required."));
    }
    serde_json::from_slice(bytes)
        .map_err(|error| ValidationErrors::single("$", format!("The request body is not valid JSON: {error}.")))
}

/// Reads a `T` from a parsed value, naming the path of the first problem.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ValidationErrors> {
    from_value_at(value, "$")
}

/// Reads a JSON array of `T`, checking every element and naming every bad
/// one (`$[2].name`, `$[5].organizationId`) rather than only the first.
pub fn from_value_each<T: DeserializeOwned>(value: &Value) -> Result<Vec<T>, ValidationErrors> {
    let Value::Array(items) = value else {
        return Err(ValidationErrors::single("$", format!("Expected a JSON array, found {}.", kind_of(value))));
    };
    let mut errors = ValidationErrors::new();
    let mut decoded = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match from_value_at(item, &format!("$[{index}]")) {
            Ok(element) => decoded.push(element),
            Err(element_errors) => errors.extend(element_errors),
        }
    }
    errors.into_result().map(|()| decoded)
}

fn from_value_at<T: DeserializeOwned>(value: &Value, root: &str) -> Result<T, ValidationErrors> {
    serde_path_to_error::deserialize(CaseInsensitive(value)).map_err(|error| {
        let mut path = root.to_owned();
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => path.push_str(&format!("[{index}]")),
                serde_path_to_error::Segment::Map { key } => {
                    path.push('.');
                    path.push_str(key);
                }
                serde_path_to_error::Segment::Enum { variant } => {
                    path.push('.');
                    path.push_str(variant);
                }
                serde_path_to_error::Segment::Unknown => path.push_str(".?"),
            }
        }
        let inner = error.into_inner();
        if let Some(field) = inner.missing_field {
            path.push('.');
            path.push_str(field);
            return ValidationErrors::single(path, "The field is required.");
        }
        ValidationErrors::single(path, humanize(&inner.message))
    })
}

/// A request body: decoded from JSON bytes and checked in one step.
pub trait RequestBody: Sized + Validate {
    /// Reads the body from a parsed JSON value.
    fn from_json(value: &Value) -> Result<Self, ValidationErrors>;

    /// Parses, reads and validates a body.
    fn decode(bytes: &[u8]) -> Result<Self, ValidationErrors> {
        let body = Self::from_json(&parse(bytes)?)?;
        body.validate()?;
        Ok(body)
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn humanize(message: &str) -> String {
    let message = message
        .replace("expected i32", "expected a 32-bit integer")
        .replace("expected i64", "expected a 64-bit integer")
        .replace("invalid type: null", "the value is null");
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().collect();
            out.extend(chars);
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => "Invalid value.".to_owned(),
    }
}

/// The error of [`CaseInsensitive`]: a message, or which field was missing.
#[derive(Debug)]
struct DeError {
    message: String,
    missing_field: Option<&'static str>,
}

impl std::fmt::Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        Self { message: message.to_string(), missing_field: None }
    }

    fn missing_field(field: &'static str) -> Self {
        Self { message: format!("missing field `{field}`"), missing_field: Some(field) }
    }
}

impl From<serde_json::Error> for DeError {
    fn from(error: serde_json::Error) -> Self {
        de::Error::custom(error)
    }
}

/// A deserializer over a borrowed [`Value`] whose structs match property
/// names without regard to ASCII case.
struct CaseInsensitive<'de>(&'de Value);

macro_rules! forward_to_value {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                self.0.$method(visitor).map_err(DeError::from)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for CaseInsensitive<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Fields { entries: map.iter(), fields: &[], value: None }),
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            other => other.deserialize_any(visitor).map_err(DeError::from),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Fields { entries: map.iter(), fields, value: None }),
            // serde_json would read an array positionally into the fields: refuse it.
            other => Err(de::Error::custom(format!("expected a JSON object for {name}, found {}", kind_of(other)))),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            other => other.deserialize_seq(visitor).map_err(DeError::from),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Fields { entries: map.iter(), fields: &[], value: None }),
            other => other.deserialize_map(visitor).map_err(DeError::from),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.0.deserialize_enum(name, variants, visitor).map_err(DeError::from)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    forward_to_value! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_identifier
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.0.deserialize_unit_struct(name, visitor).map_err(DeError::from)
    }
}

struct Items<'de>(std::slice::Iter<'de, Value>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        self.0.next().map(|value| seed.deserialize(CaseInsensitive(value))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Fields<'de> {
    entries: serde_json::map::Iter<'de>,
    fields: &'static [&'static str],
    value: Option<&'de Value>,
}

impl<'de> MapAccess<'de> for Fields<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some(value);
        let canonical: &'de str =
            self.fields.iter().find(|field| field.eq_ignore_ascii_case(key)).copied().unwrap_or(key.as_str());
        seed.deserialize(canonical.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some(value) => seed.deserialize(CaseInsensitive(value)),
            None => Err(de::Error::custom("a value was read before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use crate::operator::set_status;

    #[test]
    fn a_struct_is_never_read_from_an_array() {
        let error = super::from_slice::<set_status::Request>(b"[1, 2]").unwrap_err();
        assert!(error.names("$"), "{error}");
        let error = super::from_slice::<Vec<set_status::Request>>(br#"[{"id": 1, "status": 0}, [2, 1]]"#).unwrap_err();
        assert!(error.names("$[1]"), "{error}");
    }
}
