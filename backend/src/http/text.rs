//! `POST /api/render/text`: text panels' Markdown (or HTML) as safe HTML. The server renders it
//! so that the UI's WebAssembly carries no Markdown parser; the rendering itself is
//! [`kubeglass_shared::panels::text`], the same code the UI used to run.

use super::dashboards::blocking;
use super::error::ApiError;
use axum::body::Bytes;
use axum::Json;
use kubeglass_shared::api::{RenderTextRequest, RenderTextResponse, MAX_TEXT_CONTENT_BYTES};
use kubeglass_shared::panels::text::render_text_panel;

/// Takes the body as bytes so that a bad one is answered with what is wrong with it.
pub async fn render(body: Bytes) -> Result<Json<RenderTextResponse>, ApiError> {
    let req = parse(&body)?;
    let html = blocking(move || render_text_panel(req.mode.as_deref(), &req.content)).await?;
    Ok(Json(RenderTextResponse { html }))
}

pub fn parse(body: &[u8]) -> Result<RenderTextRequest, ApiError> {
    let req: RenderTextRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest(format!(
            "request body must be {{\"mode\": \"markdown\"|\"html\"|\"code\", \"content\": string}}: {e}"
        ))
    })?;
    if req.content.len() > MAX_TEXT_CONTENT_BYTES {
        return Err(ApiError::BadRequest(format!(
            "content is {} bytes; a text panel may have at most {MAX_TEXT_CONTENT_BYTES}",
            req.content.len()
        )));
    }
    match req.mode.as_deref() {
        None | Some("markdown" | "html" | "code") => Ok(req),
        Some(other) => Err(ApiError::BadRequest(format!(
            "mode `{other}` is not one of markdown, html, code"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn bad_requests_are_named() {
        let err = |body: &str| parse(body.as_bytes()).unwrap_err().to_string();
        assert!(err("{").contains("request body must be"), "{}", err("{"));
        assert!(err(r#"{"content": "x", "extra": 1}"#).contains("unknown field `extra`"));
        assert!(err(r#"{"mode": "markdown"}"#).contains("missing field `content`"));
        assert!(err(r#"{"mode": "pdf", "content": "x"}"#).contains("mode `pdf`"));
        let long = format!(r#"{{"content": "{}"}}"#, "a".repeat(300 * 1024));
        assert!(err(&long).contains("at most 262144"), "{}", err(&long));
        let ok = parse(br##"{"content": "# t"}"##).unwrap();
        assert_eq!((ok.mode, ok.content.as_str()), (None, "# t"));
    }
}
