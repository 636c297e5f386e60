//! Media in requests and in messages (Decisions 19, 26 and 27).
//!
//! ```
//! use chathub_types::chat::{MediaType, NewMedia};
//! let media = NewMedia::new("p.jpg", "JPG", "aGk=", MediaType::Photo);
//! let checked = media.check("$.media").unwrap();
//! assert_eq!((checked.format, checked.bytes.as_slice()), ("image/jpeg", &b"hi"[..]));
//! let bad = NewMedia::new("p.html", "text/html", "aGk=", MediaType::File);
//! assert!(bad.check("$.media").unwrap_err().names("$.media.format"));
//! ```

use serde::{Deserialize, Serialize};

use super::MediaType;
use crate::validation::ValidationErrors;

/// Largest decoded media, in bytes (Decision 26: 5 MiB).
pub const MAX_MEDIA_BYTES: usize = 5 * 1024 * 1024;
/// Longest media name, in Unicode scalar values (Decision 26).
pub const MAX_MEDIA_NAME_CHARS: usize = 255;

/// The formats Decision 26 accepts: each MIME type with the extensions
/// that name it (all matched without regard to ASCII case).
pub const FORMATS: &[(&str, &[&str])] = &[
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/png", &["png"]),
    ("image/gif", &["gif"]),
    ("image/webp", &["webp"]),
    ("video/mp4", &["mp4"]),
    ("audio/mpeg", &["mp3"]),
    ("audio/ogg", &["ogg", "oga"]),
    ("application/pdf", &["pdf"]),
    ("text/plain", &["txt"]),
];

/// Media sent with a message (REST `media`, hub `SendMediaMessage`).
/// Property names match without regard to case, so `Name` and
/// `DataBase64` bind too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewMedia {
    /// The file name: 1-255 characters, no `/`, `\` or control characters, not only dots.
    pub name: String,
    /// A MIME type (`image/jpeg`) or an extension without the dot (`jpg`).
    pub format: String,
    /// The bytes: padded RFC 4648 base64 (whitespace skipped), 1 byte to 5 MiB decoded.
    pub data_base64: String,
    /// 0 File, 1 Photo, 2 Video, 3 Audio; it must fit the format.
    #[serde(rename = "type")]
    pub media_type: MediaType,
}

/// Media that passed every rule: what the server stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedMedia {
    /// The name, as given.
    pub name: String,
    /// The MIME type (an extension is written back as its MIME type).
    pub format: &'static str,
    /// The kind.
    pub media_type: MediaType,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

impl NewMedia {
    /// Media from its four fields.
    pub fn new(
        name: impl Into<String>,
        format: impl Into<String>,
        data_base64: impl Into<String>,
        media_type: MediaType,
    ) -> Self {
        Self { name: name.into(), format: format.into(), data_base64: data_base64.into(), media_type }
    }

    /// Checks every rule of Decision 26, naming `<path>.name`, `.format`,
    /// `.type` or `.dataBase64`, and decodes the bytes.
    pub fn check(&self, path: &str) -> Result<CheckedMedia, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if let Err(message) = check_media_name(&self.name) {
            errors.add(format!("{path}.name"), message);
        }
        let format = mime_for_format(&self.format);
        match format {
            None => errors.add(format!("{path}.format"), format_rule()),
            Some(mime) if self.media_type.is_known() && !type_fits(self.media_type, mime) => errors.add(
                format!("{path}.type"),
                format!("The type {} ({}) does not fit the format {mime}.", self.media_type.to_i32(), self.media_type),
            ),
            Some(_) => {}
        }
        if !self.media_type.is_known() {
            errors.add(format!("{path}.type"), MediaType::rule());
        }
        let bytes = match decode_media_data(&self.data_base64) {
            Ok(bytes) => Some(bytes),
            Err(message) => {
                errors.add(format!("{path}.dataBase64"), message);
                None
            }
        };
        match (errors.into_result(), format, bytes) {
            (Ok(()), Some(format), Some(bytes)) => {
                Ok(CheckedMedia { name: self.name.clone(), format, media_type: self.media_type, bytes })
            }
            (Err(errors), _, _) => Err(errors),
            _ => Err(ValidationErrors::single(path, "The media is invalid.")),
        }
    }
}

/// The name rule of Decision 26: 1-255 characters, no `/`, `\` or
/// control characters, not only dots. `Err` holds the message.
pub fn check_media_name(name: &str) -> Result<(), String> {
    let chars = name.chars().count();
    if chars == 0 {
        Err("The name must not be empty.".to_owned())
    } else if chars > MAX_MEDIA_NAME_CHARS {
        Err(format!("The name must be at most {MAX_MEDIA_NAME_CHARS} characters long."))
    } else if name.chars().any(|c| c == '/' || c == '\\' || c.is_control()) {
        Err("The name must not contain '/', '\\' or control characters.".to_owned())
    } else if name.chars().all(|c| c == '.') {
        Err("The name must not consist of dots only.".to_owned())
    } else {
        Ok(())
    }
}

/// The MIME type a `format` names (a MIME type or an extension of
/// [`FORMATS`], any ASCII case), or `None`.
pub fn mime_for_format(format: &str) -> Option<&'static str> {
    FORMATS.iter().find_map(|(mime, extensions)| {
        (mime.eq_ignore_ascii_case(format) || extensions.iter().any(|ext| ext.eq_ignore_ascii_case(format)))
            .then_some(*mime)
    })
}

/// Whether a media type fits a MIME type (Photo `image/*`, Video
/// `video/*`, Audio `audio/*`, File any).
pub fn type_fits(media_type: MediaType, mime: &str) -> bool {
    match media_type {
        MediaType::File => true,
        MediaType::Photo => mime.starts_with("image/"),
        MediaType::Video => mime.starts_with("video/"),
        MediaType::Audio => mime.starts_with("audio/"),
        MediaType::Unknown(_) => false,
    }
}

/// Decodes `dataBase64` (Decision 26); `Err` holds the message.
pub fn decode_media_data(text: &str) -> Result<Vec<u8>, String> {
    match super::base64::decode(text, MAX_MEDIA_BYTES) {
        Ok(bytes) if bytes.is_empty() => Err("The data must hold at least 1 byte.".to_owned()),
        Ok(bytes) => Ok(bytes),
        Err(super::base64::Base64Error::TooLarge(_)) => {
            Err(format!("The data must be at most {MAX_MEDIA_BYTES} bytes (5 MiB) once decoded."))
        }
        Err(error) => Err(format!("The data is not valid base64: {error}.")),
    }
}

fn format_rule() -> String {
    let mimes: Vec<&str> = FORMATS.iter().map(|(mime, _)| *mime).collect();
    format!("The format must be one of {} or an extension such as jpg.", mimes.join(", "))
}

/// Media as messages show it (Decision 19): where to fetch it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediaRef {
    /// The file name.
    pub name: String,
    /// The MIME type.
    pub format: String,
    /// 0 File, 1 Photo, 2 Video, 3 Audio.
    #[serde(rename = "type")]
    pub media_type: MediaType,
    /// Where the bytes are served, without a credential (Decision 27).
    pub uri: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_types() {
        assert_eq!(mime_for_format("JPEG"), Some("image/jpeg"));
        assert_eq!(mime_for_format("Audio/OGG"), Some("audio/ogg"));
        assert_eq!(mime_for_format(".jpg"), None);
        assert_eq!(mime_for_format("image/svg+xml"), None);
        assert!(type_fits(MediaType::File, "application/pdf"));
        assert!(!type_fits(MediaType::Photo, "video/mp4"));
    }

    #[test]
    fn names() {
        assert!(check_media_name("p.jpg").is_ok());
        assert!(check_media_name("..").is_err());
        assert!(check_media_name("a/b").is_err());
        assert!(check_media_name("a\u{7}").is_err());
        assert!(check_media_name(&"é".repeat(255)).is_ok());
        assert!(check_media_name(&"é".repeat(256)).is_err());
    }

    #[test]
    fn every_field_is_named() {
        let media = NewMedia::new("", "exe", "!!", MediaType::Unknown(9));
        let errors = media.check("$.media").unwrap_err();
        for path in ["$.media.name", "$.media.format", "$.media.type", "$.media.dataBase64"] {
            assert!(errors.names(path), "{path}: {errors}");
        }
        let errors = NewMedia::new("a.mp4", "mp4", "aGk=", MediaType::Audio).check("$.media").unwrap_err();
        assert!(errors.names("$.media.type"));
        assert!(
            NewMedia::new("a", "txt", "", MediaType::File).check("$.media").unwrap_err().names("$.media.dataBase64")
        );
    }
}
