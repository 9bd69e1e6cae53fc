//! Errors: the ABI's error code plus the host's readable message.

use std::fmt;

/// The result type of every fallible call in this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// The error codes of the station ABI (docs/abi.md, "Error codes").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// -1: a malformed argument (bad UTF-8, URL, header line, unknown level or kind).
    InvalidArgument,
    /// -2: a buffer lies outside linear memory or overflows.
    Fault,
    /// -3: the handle is not open, or is the wrong kind for this call.
    BadHandle,
    /// -4: not ready yet. The async wrappers wait instead of returning it.
    WouldBlock,
    /// -5: a quota would be exceeded (key-value store, IPFS pins).
    QuotaExceeded,
    /// -6: the module's grants or the network policy forbid it.
    Denied,
    /// -7: too many handles, or another rate or concurrency limit.
    LimitReached,
    /// -8: no such key, CID or path.
    NotFound,
    /// -9: a deadline passed.
    TimedOut,
    /// -10: a network or remote failure.
    Io,
    /// -11: a response or value is larger than its cap.
    TooLarge,
    /// -12: cancelled because the handle was closed or the module is stopping.
    Cancelled,
    /// -13: this runtime cannot do that.
    Unsupported,
    /// -14: the buffer cannot hold even one whole item.
    BufferTooSmall,
    /// A negative code this crate does not know (a newer host).
    Other(i32),
}

impl ErrorCode {
    /// The code for a raw negative result of a station call.
    pub fn from_raw(code: i32) -> ErrorCode {
        match code {
            -1 => ErrorCode::InvalidArgument,
            -2 => ErrorCode::Fault,
            -3 => ErrorCode::BadHandle,
            -4 => ErrorCode::WouldBlock,
            -5 => ErrorCode::QuotaExceeded,
            -6 => ErrorCode::Denied,
            -7 => ErrorCode::LimitReached,
            -8 => ErrorCode::NotFound,
            -9 => ErrorCode::TimedOut,
            -10 => ErrorCode::Io,
            -11 => ErrorCode::TooLarge,
            -12 => ErrorCode::Cancelled,
            -13 => ErrorCode::Unsupported,
            -14 => ErrorCode::BufferTooSmall,
            other => ErrorCode::Other(other),
        }
    }

    /// The raw ABI value (-1 ... -14).
    pub fn raw(self) -> i32 {
        match self {
            ErrorCode::InvalidArgument => -1,
            ErrorCode::Fault => -2,
            ErrorCode::BadHandle => -3,
            ErrorCode::WouldBlock => -4,
            ErrorCode::QuotaExceeded => -5,
            ErrorCode::Denied => -6,
            ErrorCode::LimitReached => -7,
            ErrorCode::NotFound => -8,
            ErrorCode::TimedOut => -9,
            ErrorCode::Io => -10,
            ErrorCode::TooLarge => -11,
            ErrorCode::Cancelled => -12,
            ErrorCode::Unsupported => -13,
            ErrorCode::BufferTooSmall => -14,
            ErrorCode::Other(code) => code,
        }
    }

    /// The ABI name of the code (`"not-found"`, `"denied"`, ...), `"unknown-error"` for `Other`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "invalid-argument",
            ErrorCode::Fault => "fault",
            ErrorCode::BadHandle => "bad-handle",
            ErrorCode::WouldBlock => "would-block",
            ErrorCode::QuotaExceeded => "quota-exceeded",
            ErrorCode::Denied => "denied",
            ErrorCode::LimitReached => "limit-reached",
            ErrorCode::NotFound => "not-found",
            ErrorCode::TimedOut => "timed-out",
            ErrorCode::Io => "io",
            ErrorCode::TooLarge => "too-large",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::BufferTooSmall => "buffer-too-small",
            ErrorCode::Other(_) => "unknown-error",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed station call: its [`ErrorCode`] and the host's message (`last_error`), which says what
/// went wrong and, where it applies, how to allow it.
///
/// Displays as `code: message`, e.g. `denied: http://10.0.0.1/ is not allowed (--allow-net)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// An error with a code and a message of your own (for failures found by the module itself).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error { code, message: message.into() }
    }

    /// The error for a raw negative result that a station call just returned, with the host's
    /// message. Call it right away: the next failing call replaces the message.
    pub fn from_raw(code: i32) -> Error {
        let message = crate::buffer::copy_out(256, |buf| unsafe { crate::sys::last_error(buf.as_mut_ptr(), buf.len()) })
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        Error { code: ErrorCode::from_raw(code), message }
    }

    /// The error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The readable message (may be empty).
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Turns a raw result into `Ok(value)` (non-negative) or the error with the host's message.
pub(crate) fn check(result: i32) -> Result<i32> {
    if result < 0 {
        Err(Error::from_raw(result))
    } else {
        Ok(result)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

/// Shows the same text as `Display`, so `fn main() -> station::Result<()>` prints a readable line.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_with_its_abi_name() {
        let names = [
            "invalid-argument", "fault", "bad-handle", "would-block", "quota-exceeded", "denied",
            "limit-reached", "not-found", "timed-out", "io", "too-large", "cancelled", "unsupported",
            "buffer-too-small",
        ];
        for (index, name) in names.iter().enumerate() {
            let raw = -(index as i32) - 1;
            let code = ErrorCode::from_raw(raw);
            assert_eq!(code.raw(), raw);
            assert_eq!(code.name(), *name);
        }
        assert_eq!(ErrorCode::from_raw(-99), ErrorCode::Other(-99));
        assert_eq!(ErrorCode::Other(-99).raw(), -99);
        assert_eq!(ErrorCode::Other(-99).name(), "unknown-error");
    }

    #[test]
    fn displays_code_and_message() {
        let error = Error::new(ErrorCode::Denied, "not granted");
        assert_eq!(error.to_string(), "denied: not granted");
        assert_eq!(format!("{:?}", error), "denied: not granted");
        assert_eq!(Error::new(ErrorCode::Io, "").to_string(), "io");
    }
}
