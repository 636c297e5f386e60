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

    /// Media from raw bytes: `format` is a MIME type or an extension
    /// without the dot (a known one is written as its MIME type, anything
    /// else as given, for the server to refuse); the bytes are base64-encoded.
    /// Nothing is checked here: [`NewMedia::check`] (or the endpoint's
    /// `check`) does.
    ///
    /// ```
    /// use chathub_types::chat::{MediaType, NewMedia};
    /// let media = NewMedia::from_bytes("p.jpg", "JPG", MediaType::Photo, b"hi!");
    /// assert_eq!((media.format.as_str(), media.data_base64.as_str()), ("image/jpeg", "aGkh"));
    /// assert_eq!(media.check("$.media").unwrap().bytes, b"hi!");
    /// ```
    pub fn from_bytes(name: impl Into<String>, format: impl Into<String>, media_type: MediaType, bytes: &[u8]) -> Self {
        let format: String = format.into();
        let format = mime_for_format(format.trim()).map_or(format, str::to_owned);
        Self { name: name.into(), format, data_base64: super::base64::encode(bytes), media_type }
    }

    /// Media from a file name and its bytes: the format from the name's
    /// extension ([`mime_for_file_name`]), the type from the format
    /// ([`media_type_for_mime`]). `None` when the extension is not one of
    /// [`FORMATS`].
    ///
    /// ```
    /// use chathub_types::chat::{MediaType, NewMedia};
    /// let media = NewMedia::from_file_bytes("Voice.OGA", b"OggS").unwrap();
    /// assert_eq!((media.format.as_str(), media.media_type), ("audio/ogg", MediaType::Audio));
    /// assert!(NewMedia::from_file_bytes("page.html", b"<p>").is_none());
    /// ```
    pub fn from_file_bytes(name: impl Into<String>, bytes: &[u8]) -> Option<Self> {
        let name: String = name.into();
        let mime = mime_for_file_name(&name)?;
        Some(Self::from_bytes(name, mime, media_type_for_mime(mime), bytes))
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

/// The MIME type a file name's extension names (one of [`FORMATS`], any
/// ASCII case), or `None` (no extension, or an unknown one).
///
/// ```
/// use chathub_types::chat::media::mime_for_file_name;
/// assert_eq!(mime_for_file_name("scan.PDF"), Some("application/pdf"));
/// assert_eq!(mime_for_file_name("archive.tar.gz"), None);
/// assert_eq!(mime_for_file_name("jpg"), None);
/// ```
pub fn mime_for_file_name(name: &str) -> Option<&'static str> {
    let (_, extension) = name.rsplit_once('.')?;
    FORMATS.iter().find_map(|(mime, extensions)| {
        extensions.iter().any(|ext| ext.eq_ignore_ascii_case(extension)).then_some(*mime)
    })
}

/// The media type that suits a MIME type: `image/*` Photo, `video/*`
/// Video, `audio/*` Audio, anything else File.
///
/// ```
/// use chathub_types::chat::{MediaType, media::media_type_for_mime};
/// assert_eq!(media_type_for_mime("image/png"), MediaType::Photo);
/// assert_eq!(media_type_for_mime("application/pdf"), MediaType::File);
/// ```
pub fn media_type_for_mime(mime: &str) -> MediaType {
    let top = mime.split('/').next().unwrap_or_default().trim();
    if top.eq_ignore_ascii_case("image") {
        MediaType::Photo
    } else if top.eq_ignore_ascii_case("video") {
        MediaType::Video
    } else if top.eq_ignore_ascii_case("audio") {
        MediaType::Audio
    } else {
        MediaType::File
    }
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
    fn file_names() {
        assert_eq!(mime_for_file_name("a.JPEG"), Some("image/jpeg"));
        assert_eq!(mime_for_file_name(".txt"), Some("text/plain"));
        assert_eq!(mime_for_file_name("noext"), None);
        assert_eq!(mime_for_file_name("a.exe"), None);
        assert_eq!(mime_for_file_name("a."), None);
        assert_eq!(media_type_for_mime("video/mp4"), MediaType::Video);
        assert_eq!(media_type_for_mime("audio/mpeg"), MediaType::Audio);
        assert_eq!(media_type_for_mime("text/plain"), MediaType::File);
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
