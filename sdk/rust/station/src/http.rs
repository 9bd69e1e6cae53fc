//! HTTP requests through the host: a request builder, the response's status and headers, and its
//! body read as bytes, text or chunk by chunk.
//!
//! Requests overlap: every request is a handle, and the executor waits for all of them in one
//! `station.poll`. The URL must be allowed by the module's network grants (`--allow-net`).
//!
//! ```no_run
//! use station::http::Request;
//! # station::main(async {
//! let response = Request::post("http://127.0.0.1:8080/measurements")
//!     .header("Content-Type", "application/json")
//!     .body(r#"{"ok":true}"#)
//!     .send()
//!     .await?;
//! println!("{} {:?}", response.status(), response.header("content-type"));
//! let text = response.text().await?;
//! # Ok::<(), station::Error>(()) }).unwrap();
//! ```

use std::time::Duration;

use crate::buffer::copy_out;
use crate::error::{Error, ErrorCode, Result};
use crate::executor::timeout_millis;
use crate::handle::{Body, Handle};
use crate::sys;

/// An HTTP request being built. Nothing is sent until [`Request::send`].
#[derive(Debug, Clone)]
pub struct Request {
    method: String,
    url: String,
    headers: String,
    body: Vec<u8>,
    timeout: Option<Duration>,
    manual_redirect: bool,
    invalid: Option<String>,
}

impl Request {
    /// A request with any method (`"PATCH"`, ...).
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Request {
        Request { method: method.into(), url: url.into(), headers: String::new(), body: Vec::new(), timeout: None, manual_redirect: false, invalid: None }
    }

    /// A `GET` request.
    pub fn get(url: impl Into<String>) -> Request {
        Request::new("GET", url)
    }

    /// A `POST` request.
    pub fn post(url: impl Into<String>) -> Request {
        Request::new("POST", url)
    }

    /// A `PUT` request.
    pub fn put(url: impl Into<String>) -> Request {
        Request::new("PUT", url)
    }

    /// A `DELETE` request.
    pub fn delete(url: impl Into<String>) -> Request {
        Request::new("DELETE", url)
    }

    /// Adds a header. A name that is not a token, or a value with a line break, makes
    /// [`Request::send`] fail with [`ErrorCode::InvalidArgument`] (no header can smuggle another).
    pub fn header(mut self, name: &str, value: &str) -> Request {
        if let Err(problem) = validate_header(name, value) {
            self.invalid.get_or_insert(problem);
        } else {
            self.headers.push_str(name);
            self.headers.push_str(": ");
            self.headers.push_str(value);
            self.headers.push_str("\r\n");
        }
        self
    }

    /// Sets the request body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }

    /// Bounds the whole exchange (default: the host's, 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Request {
        self.timeout = Some(timeout);
        self
    }

    /// Does not follow redirects: a 3xx is the response, its `Location` header readable
    /// (`http_request_options` with `STATION_HTTP_MANUAL_REDIRECT`).
    pub fn manual_redirect(mut self) -> Request {
        self.manual_redirect = true;
        self
    }

    /// The header block as the ABI takes it (`Name: value\r\n` lines).
    pub fn header_text(&self) -> &str {
        &self.headers
    }

    /// Starts the request without waiting: the handle's status arrives later. Fails at once when
    /// the URL is denied or an argument is malformed.
    pub fn start(&self) -> Result<PendingResponse> {
        if let Some(problem) = &self.invalid {
            return Err(Error::new(ErrorCode::InvalidArgument, problem.clone()));
        }
        let timeout = self.timeout.map(|t| timeout_millis(t).max(1)).unwrap_or(0);
        let result = unsafe {
            if self.manual_redirect {
                sys::http_request_options(
                    self.method.as_ptr(),
                    self.method.len(),
                    self.url.as_ptr(),
                    self.url.len(),
                    self.headers.as_ptr(),
                    self.headers.len(),
                    self.body.as_ptr(),
                    self.body.len(),
                    timeout,
                    MANUAL_REDIRECT,
                )
            } else {
                sys::http_request(
                    self.method.as_ptr(),
                    self.method.len(),
                    self.url.as_ptr(),
                    self.url.len(),
                    self.headers.as_ptr(),
                    self.headers.len(),
                    self.body.as_ptr(),
                    self.body.len(),
                    timeout,
                )
            }
        };
        Ok(PendingResponse { handle: Handle::from_result(result)? })
    }

    /// Sends the request and waits for the response head (status and headers); the body is read
    /// from the [`Response`].
    pub async fn send(self) -> Result<Response> {
        self.start()?.response().await
    }
}

/// `http_request_options` bit: do not follow redirects.
const MANUAL_REDIRECT: u32 = 1;

/// Checks a header line's parts: a token name and a value without line breaks.
fn validate_header(name: &str, value: &str) -> std::result::Result<(), String> {
    let token = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(format!("'{}' is not a valid header name", name.escape_debug()));
    }
    if value.bytes().any(|c| c == b'\r' || c == b'\n' || c == 0) {
        return Err(format!("the value of header '{}' contains a line break or NUL", name));
    }
    Ok(())
}

/// Starts a `GET` of `url` and waits for the response head.
pub async fn get(url: &str) -> Result<Response> {
    Request::get(url).send().await
}

/// A request that was started; await [`PendingResponse::response`] for its head.
#[derive(Debug)]
pub struct PendingResponse {
    handle: Handle,
}

impl PendingResponse {
    /// The request's handle.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Waits for the response head: the status of the final response (redirects are followed by
    /// the host), or the error the request failed with.
    pub async fn response(self) -> Result<Response> {
        let raw = self.handle.as_raw();
        let status = self.handle.retry(move || unsafe { sys::http_status(raw) }).await? as u16;
        Ok(Response { status, body: Body::new(self.handle) })
    }
}

/// An HTTP response whose head has arrived. Read its body with [`Response::bytes`],
/// [`Response::text`], [`Response::chunk`] or [`Response::read`]; dropping it cancels the rest.
#[derive(Debug)]
pub struct Response {
    status: u16,
    body: Body,
}

impl Response {
    /// The status code (200-599).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Every header as (lower-case name, value), in the order received. They are copied from the
    /// host when asked for (a module that never looks at headers never pays for them).
    pub fn headers(&self) -> Result<Vec<(String, String)>> {
        let raw = self.body.handle().as_raw();
        let text = copy_out(1024, |buf| unsafe { sys::http_headers(raw, buf.as_mut_ptr(), buf.len()) }).map_err(Error::from_raw)?;
        Ok(parse_headers(&String::from_utf8_lossy(&text)))
    }

    /// The URL that answered: the request's, or the last redirect's when the host followed any.
    pub fn url(&self) -> Result<String> {
        let raw = self.body.handle().as_raw();
        let text = copy_out(256, |buf| unsafe { sys::http_url(raw, buf.as_mut_ptr(), buf.len()) }).map_err(Error::from_raw)?;
        Ok(String::from_utf8_lossy(&text).into_owned())
    }

    /// The first value of a header, by case-insensitive name; `None` when absent (or when the
    /// headers cannot be read).
    pub fn header(&self, name: &str) -> Option<String> {
        find_header(&self.headers().ok()?, name).map(str::to_string)
    }

    /// Fails with [`ErrorCode::Io`] naming the status unless it is 2xx.
    pub fn error_for_status(self) -> Result<Response> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(Error::new(ErrorCode::Io, format!("the server answered {}", self.status)))
        }
    }

    /// The body, to read it yourself.
    pub fn into_body(self) -> Body {
        self.body
    }

    /// Reads up to `buf.len()` body bytes: the count, `0` at the end.
    pub async fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.body.read(buf).await
    }

    /// The next chunk of the body, or `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Vec<u8>>> {
        self.body.chunk().await
    }

    /// The whole body.
    pub async fn bytes(self) -> Result<Vec<u8>> {
        self.body.bytes().await
    }

    /// The whole body as UTF-8 text.
    pub async fn text(self) -> Result<String> {
        self.body.text().await
    }

    /// Reads the body to its end without keeping it; returns its length.
    pub async fn drain(self) -> Result<u64> {
        self.body.drain().await
    }
}

/// The first value of a header in parsed `headers`, by case-insensitive name.
pub fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Parses the host's header block (`name: value\r\n` lines) into (lower-case name, value) pairs.
/// Lines without a colon are skipped; values are trimmed.
pub fn parse_headers(text: &str) -> Vec<(String, String)> {
    text.split('\n')
        .filter_map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let colon = line.find(':')?;
            let name = line[..colon].trim();
            if name.is_empty() {
                return None;
            }
            Some((name.to_ascii_lowercase(), line[colon + 1..].trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_lines() {
        let headers = parse_headers("Content-Type: text/plain\r\nX-Empty:\r\nset-cookie: a=b: c\r\nbroken line\r\n\r\n");
        assert_eq!(
            headers,
            vec![
                ("content-type".to_string(), "text/plain".to_string()),
                ("x-empty".to_string(), String::new()),
                ("set-cookie".to_string(), "a=b: c".to_string()),
            ]
        );
        assert!(parse_headers("").is_empty());
        assert_eq!(parse_headers("a: 1\nb: 2").len(), 2);
    }

    #[test]
    fn builds_the_header_block() {
        let request = Request::get("http://127.0.0.1/").header("Accept", "text/plain").header("X-Id", "7");
        assert_eq!(request.header_text(), "Accept: text/plain\r\nX-Id: 7\r\n");
    }

    #[test]
    fn refuses_header_injection_before_sending() {
        let request = Request::get("http://127.0.0.1/").header("X-A", "1\r\nHost: evil");
        assert_eq!(request.header_text(), "");
        let error = request.start().unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidArgument);
        assert!(error.message().contains("X-A"));
        for name in ["", "Bad Name", "a:b", "é"] {
            assert!(validate_header(name, "v").is_err(), "{:?}", name);
        }
        assert!(validate_header("X-Ok", "any value: with colon").is_ok());
    }

    #[test]
    fn finds_headers_case_insensitively() {
        let headers = parse_headers("Content-Length: 3\r\nX-A: 1\r\nx-a: 2\r\n");
        assert_eq!(find_header(&headers, "content-length"), Some("3"));
        assert_eq!(find_header(&headers, "CONTENT-LENGTH"), Some("3"));
        assert_eq!(find_header(&headers, "x-a"), Some("1"));
        assert_eq!(find_header(&headers, "x"), None);
    }

    #[test]
    fn statuses_outside_2xx_are_errors_on_request() {
        let response = Response { status: 404, body: Body::new(unsafe { Handle::from_raw(1) }) };
        assert!(!response.is_success());
        assert_eq!(response.error_for_status().unwrap_err().code(), ErrorCode::Io);
        let ok = Response { status: 204, body: Body::new(unsafe { Handle::from_raw(2) }) };
        assert!(ok.is_success());
        assert_eq!(ok.error_for_status().unwrap().status(), 204);
    }
}
