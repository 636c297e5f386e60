//! Media from files: [`media_from_file`].

use std::path::Path;

use chathub_types::ValidationErrors;
use chathub_types::chat::NewMedia;
use chathub_types::chat::media::{FORMATS, MAX_MEDIA_BYTES, media_type_for_mime};
use tokio::io::AsyncReadExt as _;

use crate::{Error, Result};

/// Reads a file into [`NewMedia`] to send with a message: the name is the
/// file's name, the format comes from its extension (one of
/// [`FORMATS`](chathub_types::chat::media::FORMATS): jpg, png, gif, webp,
/// mp4, mp3, ogg, pdf, txt, ...) and the type from the format (`image/*`
/// Photo, `video/*` Video, `audio/*` Audio, else File).
///
/// A file that cannot be read, is empty or larger than 5 MiB, or whose
/// extension is not a known format is [`Error::InvalidInput`] naming the
/// file (never its content). The size is checked before the file is read.
///
/// ```no_run
/// # async fn run(client: chathub_client::Client) -> Result<(), chathub_client::Error> {
/// use chathub_client::types::chat::send_message::Request;
/// let photo = chathub_client::media_from_file("parcel.jpg").await?;
/// client.chats().send(123, Request::media(photo)).await?;
/// # Ok(()) }
/// ```
pub async fn media_from_file(path: impl AsRef<Path>) -> Result<NewMedia> {
    let path = path.as_ref();
    let shown = path.display();
    let refuse = |message: String| Error::InvalidInput(ValidationErrors::single("file", message));
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or_else(|| refuse(format!("{shown}: not a file name that can be sent (it must be UTF-8)")))?;
    let Some(mime) = chathub_types::chat::media::mime_for_file_name(name) else {
        let extensions: Vec<&str> = FORMATS.iter().flat_map(|(_, extensions)| extensions.iter().copied()).collect();
        return Err(refuse(format!(
            "{shown}: the extension is not a format ChatHub accepts (one of {})",
            extensions.join(", ")
        )));
    };
    let too_big =
        || refuse(format!("{shown}: larger than {MAX_MEDIA_BYTES} bytes (5 MiB), the most a message may carry"));
    let metadata =
        tokio::fs::metadata(path).await.map_err(|error| refuse(format!("{shown}: cannot be read: {error}")))?;
    if !metadata.is_file() {
        return Err(refuse(format!("{shown}: not a regular file")));
    }
    if metadata.len() > MAX_MEDIA_BYTES as u64 {
        return Err(too_big());
    }
    // It may have grown since the metadata was read: read one byte past the limit at most.
    let unreadable = |error: std::io::Error| refuse(format!("{shown}: cannot be read: {error}"));
    let file = tokio::fs::File::open(path).await.map_err(unreadable)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0).min(MAX_MEDIA_BYTES) + 1);
    file.take(MAX_MEDIA_BYTES as u64 + 1).read_to_end(&mut bytes).await.map_err(unreadable)?;
    if bytes.len() > MAX_MEDIA_BYTES {
        return Err(too_big());
    }
    if bytes.is_empty() {
        return Err(refuse(format!("{shown}: the file is empty")));
    }
    Ok(NewMedia::from_bytes(name, mime, media_type_for_mime(mime), &bytes))
}
