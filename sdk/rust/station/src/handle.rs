//! Owned handles, waiting for readiness, and readable bodies.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{check, Error, ErrorCode, Result};
use crate::executor;
use crate::sys;

/// The raw "not ready yet" result.
pub(crate) const WOULD_BLOCK: i32 = -4;

/// An open station handle (an HTTP request, a stream, a listener, IPFS content). It is closed —
/// and its work cancelled — when dropped.
#[derive(Debug)]
pub struct Handle {
    raw: i32,
}

impl Handle {
    /// Takes ownership of a raw result: a handle, or the error it stands for.
    pub(crate) fn from_result(result: i32) -> Result<Handle> {
        check(result).map(|raw| Handle { raw })
    }

    /// Takes ownership of a raw handle number opened elsewhere (e.g. by C code in the same
    /// module).
    ///
    /// # Safety
    /// `raw` must be an open handle that nothing else closes.
    pub unsafe fn from_raw(raw: i32) -> Handle {
        Handle { raw }
    }

    /// The handle number, for raw calls. It stays owned by `self`.
    pub fn as_raw(&self) -> i32 {
        self.raw
    }

    /// Gives up ownership: the caller must close the returned number.
    pub fn into_raw(self) -> i32 {
        let raw = self.raw;
        std::mem::forget(self);
        raw
    }

    /// Closes the handle now and reports a failure (dropping it closes it silently).
    pub fn close(self) -> Result<()> {
        let raw = self.into_raw();
        executor::forget_handle(raw);
        check(unsafe { sys::close(raw) }).map(|_| ())
    }

    /// Waits until the handle is ready: a call on it would not return would-block.
    pub fn ready(&self) -> Ready<'_> {
        Ready { handle: self, polled: false }
    }

    /// Runs `call` until it returns something other than would-block, waiting for the handle in
    /// between. Resolves to the non-negative result, or the error.
    pub(crate) fn retry<F: FnMut() -> i32 + Unpin>(&self, call: F) -> Retry<'_, F> {
        Retry { handle: self, call }
    }

    /// Reads the next bytes into the thread's scratch buffer and hands them to `take` (not called
    /// at the end of the data). Resolves to the count, `0` at the end, or the error. One buffer
    /// serves every read of the module: no per-read allocation or zeroing.
    pub(crate) fn read_chunk<F: FnMut(&[u8]) + Unpin>(&self, take: F) -> ReadChunk<'_, F> {
        ReadChunk { handle: self, take }
    }

    /// Reads up to `buf.len()` bytes: the count, `0` at the end of the data, or the error that
    /// ended the data.
    pub async fn read(&self, buf: &mut [u8]) -> Result<usize> {
        let (raw, pointer, len) = (self.raw, buf.as_mut_ptr(), buf.len());
        let n = self.retry(move || unsafe { sys::read(raw, pointer, len) }).await?;
        Ok(n as usize)
    }

    /// Reads to the end of the data; fails with [`ErrorCode::TooLarge`] past `max` bytes (`what`
    /// names the data in that message).
    pub(crate) async fn read_to_end(&self, max: usize, what: &str) -> Result<Vec<u8>> {
        let mut data = Vec::new();
        loop {
            let mut over = false;
            let n = self
                .read_chunk(|bytes| {
                    if bytes.len() > max - data.len() {
                        over = true;
                    } else {
                        data.extend_from_slice(bytes);
                    }
                })
                .await?;
            if over {
                return Err(Error::new(ErrorCode::TooLarge, format!("{} is larger than {} bytes", what, max)));
            }
            if n == 0 {
                return Ok(data);
            }
        }
    }

    /// Queues up to `buf.len()` bytes for writing; returns how many were taken (at least one for
    /// a non-empty `buf`), waiting while the queue is full.
    pub async fn write(&self, buf: &[u8]) -> Result<usize> {
        let (raw, pointer, len) = (self.raw, buf.as_ptr(), buf.len());
        let n = self.retry(move || unsafe { sys::write(raw, pointer, len) }).await?;
        Ok(n as usize)
    }

    /// Writes all of `buf`, waiting for room as needed.
    pub async fn write_all(&self, mut buf: &[u8]) -> Result<()> {
        while !buf.is_empty() {
            let n = self.write(buf).await?;
            buf = &buf[n..];
        }
        Ok(())
    }

    /// Half-closes the writing side: the peer reads the end of the data after everything queued.
    pub async fn close_write(&self) -> Result<()> {
        let raw = self.raw;
        self.retry(move || unsafe { sys::close_write(raw) }).await.map(|_| ())
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        executor::forget_handle(self.raw);
        unsafe {
            sys::close(self.raw);
        }
    }
}

/// The future of [`Handle::ready`].
pub struct Ready<'a> {
    handle: &'a Handle,
    polled: bool,
}

impl Future for Ready<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // The executor wakes this task only when poll named the handle (or failed as a whole).
        if self.polled {
            return Poll::Ready(());
        }
        self.polled = true;
        executor::wait_for_handle(self.handle.raw, cx.waker());
        Poll::Pending
    }
}

/// The future of [`Handle::retry`].
pub(crate) struct Retry<'a, F> {
    handle: &'a Handle,
    call: F,
}

impl<F: FnMut() -> i32 + Unpin> Future for Retry<'_, F> {
    type Output = Result<i32>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<i32>> {
        let result = (self.call)();
        if result == WOULD_BLOCK {
            executor::wait_for_handle(self.handle.raw, cx.waker());
            Poll::Pending
        } else {
            Poll::Ready(check(result))
        }
    }
}

thread_local! {
    /// The buffer every [`Handle::read_chunk`] reads into (borrowed only inside one poll).
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0u8; CHUNK_SIZE]);
}

/// The future of [`Handle::read_chunk`].
pub(crate) struct ReadChunk<'a, F> {
    handle: &'a Handle,
    take: F,
}

impl<F: FnMut(&[u8]) + Unpin> Future for ReadChunk<'_, F> {
    type Output = Result<usize>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<usize>> {
        let raw = self.handle.raw;
        let this = &mut *self;
        SCRATCH.with(|scratch| {
            let mut buffer = scratch.borrow_mut();
            let result = unsafe { sys::read(raw, buffer.as_mut_ptr(), buffer.len()) };
            if result == WOULD_BLOCK {
                executor::wait_for_handle(raw, cx.waker());
                return Poll::Pending;
            }
            let count = match check(result) {
                Ok(count) => count as usize,
                Err(error) => return Poll::Ready(Err(error)),
            };
            if count > 0 {
                (this.take)(&buffer[..count]);
            }
            Poll::Ready(Ok(count))
        })
    }
}

/// Bytes read from a handle: an HTTP response body or IPFS content. Read it all ([`Body::bytes`],
/// [`Body::text`]), chunk by chunk ([`Body::chunk`]) or into your own buffer ([`Body::read`]).
/// Dropping it closes the handle and cancels the transfer.
#[derive(Debug)]
pub struct Body {
    handle: Handle,
}

/// The size of the chunks [`Body::chunk`] returns at most.
pub const CHUNK_SIZE: usize = 64 * 1024;

impl Body {
    pub(crate) fn new(handle: Handle) -> Body {
        Body { handle }
    }

    /// The handle the body is read from.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Reads up to `buf.len()` bytes: the count, `0` at the end, or the error that ended the body.
    pub async fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.handle.read(buf).await
    }

    /// The next chunk (at most [`CHUNK_SIZE`] bytes), or `None` at the end of the body.
    pub async fn chunk(&mut self) -> Result<Option<Vec<u8>>> {
        let mut chunk = Vec::new();
        let n = self.handle.read_chunk(|bytes| chunk.extend_from_slice(bytes)).await?;
        Ok(if n == 0 { None } else { Some(chunk) })
    }

    /// The whole body.
    pub async fn bytes(self) -> Result<Vec<u8>> {
        self.bytes_limited(usize::MAX).await
    }

    /// The whole body, failing with [`ErrorCode::TooLarge`] as soon as it passes `max` bytes.
    pub async fn bytes_limited(self, max: usize) -> Result<Vec<u8>> {
        self.handle.read_to_end(max, "the body").await
    }

    /// The whole body as UTF-8 text; [`ErrorCode::InvalidArgument`] when it is not UTF-8.
    pub async fn text(self) -> Result<String> {
        let bytes = self.bytes().await?;
        String::from_utf8(bytes)
            .map_err(|e| Error::new(ErrorCode::InvalidArgument, format!("the body is not UTF-8: {}", e.utf8_error())))
    }

    /// Reads the body to its end without keeping it; returns its length.
    pub async fn drain(self) -> Result<u64> {
        let mut total = 0u64;
        loop {
            let n = self.handle.read_chunk(|_| {}).await?;
            if n == 0 {
                return Ok(total);
            }
            total += n as u64;
        }
    }
}
