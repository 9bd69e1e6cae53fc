//! The copy-out convention: the host copies `min(len, size)` bytes and returns the full size.

/// Calls `call` with a buffer of `initial` bytes and again with a bigger one while the result says
/// the value did not fit. Returns the bytes, or the negative code the call failed with.
pub(crate) fn copy_out(initial: usize, mut call: impl FnMut(&mut [u8]) -> i32) -> Result<Vec<u8>, i32> {
    let mut buffer = vec![0u8; initial];
    // The value may change between calls (another writer), so loop until one call fits it.
    loop {
        let full = call(&mut buffer);
        if full < 0 {
            return Err(full);
        }
        let full = full as usize;
        if full <= buffer.len() {
            buffer.truncate(full);
            return Ok(buffer);
        }
        buffer.resize(full, 0);
    }
}

/// Like [`copy_out`], as a `String` (invalid UTF-8 replaced) and a [`crate::Result`].
pub(crate) fn copy_out_string(initial: usize, call: impl FnMut(&mut [u8]) -> i32) -> crate::Result<String> {
    match copy_out(initial, call) {
        Ok(bytes) => Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())),
        Err(code) => Err(crate::Error::from_raw(code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host value of `value`, copied out the way the ABI does.
    fn host(value: &[u8]) -> impl FnMut(&mut [u8]) -> i32 + '_ {
        move |buf: &mut [u8]| {
            let n = buf.len().min(value.len());
            buf[..n].copy_from_slice(&value[..n]);
            value.len() as i32
        }
    }

    #[test]
    fn fits_at_once() {
        assert_eq!(copy_out(16, host(b"hello")).unwrap(), b"hello");
        assert_eq!(copy_out(16, host(b"")).unwrap(), b"");
    }

    #[test]
    fn retries_with_the_full_size() {
        let value = vec![7u8; 1000];
        let mut calls = 0;
        let mut inner = host(&value);
        let got = copy_out(8, |buf| {
            calls += 1;
            inner(buf)
        })
        .unwrap();
        assert_eq!(got, value);
        assert_eq!(calls, 2);
    }

    #[test]
    fn keeps_retrying_while_the_value_grows() {
        // The value is 20 bytes at the first call and 50 from the second on.
        let sizes = [20usize, 50, 50];
        let mut calls = 0;
        let got = copy_out(4, |buf| {
            let size = sizes[calls];
            calls += 1;
            let n = buf.len().min(size);
            buf[..n].iter_mut().for_each(|b| *b = 1);
            size as i32
        })
        .unwrap();
        assert_eq!(calls, 3);
        assert_eq!(got, vec![1u8; 50]);
    }

    #[test]
    fn passes_errors_through() {
        assert_eq!(copy_out(8, |_| -8), Err(-8));
    }
}
