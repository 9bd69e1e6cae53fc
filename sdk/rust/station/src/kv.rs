//! The module's key-value store (`--kv PATH` for `station run`; one per module in the daemon).
//!
//! Keys and values are bytes (anything `AsRef<[u8]>`: `&str`, `String`, `Vec<u8>`). The calls
//! touch only a local database, so they are plain functions, not futures. A `put` is atomic and
//! durable when it returns `Ok`.
//!
//! ```no_run
//! let visits = station::kv::get_string("visits")?.map_or(0, |v| v.parse::<u64>().unwrap_or(0));
//! station::kv::put("visits", (visits + 1).to_string())?;
//! for key in station::kv::list("job/")? {
//!     println!("{}", String::from_utf8_lossy(&key));
//! }
//! # Ok::<(), station::Error>(())
//! ```

use crate::buffer::copy_out;
use crate::error::{check, Error, ErrorCode, Result};
use crate::sys;

const NOT_FOUND: i32 = -8;

/// The value of `key`, or `None` when there is no such key.
pub fn get(key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
    let key = key.as_ref();
    match copy_out(4096, |buf| unsafe { sys::kv_get(key.as_ptr(), key.len(), buf.as_mut_ptr(), buf.len()) }) {
        Ok(value) => Ok(Some(value)),
        Err(NOT_FOUND) => Ok(None),
        Err(code) => Err(Error::from_raw(code)),
    }
}

/// The value of `key` as UTF-8 text, or `None` when there is no such key;
/// [`ErrorCode::InvalidArgument`] when the value is not UTF-8.
pub fn get_string(key: impl AsRef<[u8]>) -> Result<Option<String>> {
    match get(key)? {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|e| Error::new(ErrorCode::InvalidArgument, format!("the stored value is not UTF-8: {}", e.utf8_error()))),
    }
}

/// Stores `value` under `key`. Fails with [`ErrorCode::QuotaExceeded`] past the store's quota and
/// [`ErrorCode::TooLarge`] for a key over 1 KiB or a value over 1 MiB.
pub fn put(key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
    let (key, value) = (key.as_ref(), value.as_ref());
    check(unsafe { sys::kv_put(key.as_ptr(), key.len(), value.as_ptr(), value.len()) }).map(|_| ())
}

/// Deletes `key`: `true` when it existed, `false` when there was no such key.
pub fn delete(key: impl AsRef<[u8]>) -> Result<bool> {
    let key = key.as_ref();
    match unsafe { sys::kv_delete(key.as_ptr(), key.len()) } {
        NOT_FOUND => Ok(false),
        result => check(result).map(|_| true),
    }
}

/// Every key that starts with `prefix`, in byte order (all pages of [`list_page`]).
pub fn list(prefix: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
    let prefix = prefix.as_ref();
    let mut keys: Vec<Vec<u8>> = Vec::new();
    loop {
        let after = keys.last().map(|k| k.as_slice()).unwrap_or(&[]);
        let page = list_page(prefix, after, 64 * 1024)?;
        if page.is_empty() {
            return Ok(keys);
        }
        keys.extend(page);
    }
}

/// One page of keys that start with `prefix` and sort strictly after `after` (empty: from the
/// first), as many as fit in `buffer_size` bytes of the ABI's encoding. An empty page means there
/// are no more.
pub fn list_page(prefix: impl AsRef<[u8]>, after: impl AsRef<[u8]>, buffer_size: usize) -> Result<Vec<Vec<u8>>> {
    let (prefix, after) = (prefix.as_ref(), after.as_ref());
    let mut buffer = vec![0u8; buffer_size];
    let count = check(unsafe {
        sys::kv_list(prefix.as_ptr(), prefix.len(), after.as_ptr(), after.len(), buffer.as_mut_ptr(), buffer.len())
    })?;
    parse_list(&buffer, count as usize)
}

/// Decodes `count` entries of `kv_list`'s encoding (a little-endian `u32` length, then the key).
/// An entry that runs past the buffer is a [`ErrorCode::Fault`]: the host never writes one.
pub fn parse_list(buffer: &[u8], count: usize) -> Result<Vec<Vec<u8>>> {
    let mut keys = Vec::with_capacity(count.min(buffer.len() / 4));
    let mut rest = buffer;
    for index in 0..count {
        let malformed = || Error::new(ErrorCode::Fault, format!("kv_list entry {} runs past the buffer", index));
        if rest.len() < 4 {
            return Err(malformed());
        }
        let length = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if length > rest.len() - 4 {
            return Err(malformed());
        }
        keys.push(rest[4..4 + length].to_vec());
        rest = &rest[4 + length..];
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(keys: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for key in keys {
            out.extend_from_slice(&(key.len() as u32).to_le_bytes());
            out.extend_from_slice(key);
        }
        out
    }

    #[test]
    fn decodes_entries() {
        let mut buffer = encode(&[b"a", b"", b"job/42"]);
        buffer.extend_from_slice(&[0xAA; 16]); // unused tail of the buffer
        let keys = parse_list(&buffer, 3).unwrap();
        assert_eq!(keys, vec![b"a".to_vec(), Vec::new(), b"job/42".to_vec()]);
        assert!(parse_list(&buffer, 0).unwrap().is_empty());
    }

    #[test]
    fn refuses_entries_past_the_buffer() {
        let buffer = encode(&[b"abc"]);
        assert_eq!(parse_list(&buffer[..5], 1).unwrap_err().code(), ErrorCode::Fault);
        assert_eq!(parse_list(&buffer[..2], 1).unwrap_err().code(), ErrorCode::Fault);
        assert_eq!(parse_list(&buffer, 2).unwrap_err().code(), ErrorCode::Fault);
        let huge = [0xFF, 0xFF, 0xFF, 0xFF, 1];
        assert_eq!(parse_list(&huge, 1).unwrap_err().code(), ErrorCode::Fault);
    }

    #[test]
    fn calls_report_the_host_error_natively() {
        // Natively every import is a stub that fails with unsupported.
        assert_eq!(put("k", "v").unwrap_err().code(), ErrorCode::Unsupported);
        assert_eq!(get("k").unwrap_err().code(), ErrorCode::Unsupported);
    }
}
