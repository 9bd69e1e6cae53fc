//! libp2p streams on the runtime's shared node: dial a peer, or listen for and accept inbound
//! streams, then read, write and half-close them asynchronously.
//!
//! The protocol ids must be granted (`--allow-p2p /my/proto/1.0.0`); dials to loopback or private
//! addresses need `--p2p-local`.
//!
//! ```no_run
//! # station::main(async {
//! // Client: send a line, half-close, read the whole answer.
//! let stream = station::p2p::dial("/ip4/127.0.0.1/tcp/4101/p2p/12D3KooW...", "/my/echo/1.0.0").await?;
//! stream.write_all(b"hello").await?;
//! stream.close_write().await?;
//! let reply = stream.read_to_end(1 << 20).await?;
//!
//! // Server: echo every stream, each in a task of its own.
//! let listener = station::p2p::listen("/my/echo/1.0.0")?;
//! loop {
//!     let stream = listener.accept().await?;
//!     station::spawn(async move {
//!         let data = stream.read_to_end(1 << 20).await?;
//!         stream.write_all(&data).await?;
//!         stream.close_write().await
//!     });
//! }
//! # Ok::<(), station::Error>(()) }).unwrap();
//! ```

use std::time::Duration;

use crate::buffer::copy_out_string;
use crate::error::Result;
use crate::executor::timeout_millis;
use crate::handle::Handle;
use crate::sys;

/// The runtime node's peer ID (shared by every module of the runtime).
pub fn peer_id() -> Result<String> {
    copy_out_string(128, |buf| unsafe { sys::p2p_peer_id(buf.as_mut_ptr(), buf.len()) })
}

/// Opens a stream for `protocol` to the peer at multiaddr `addr` (with `/p2p/PEER`, the peer's key
/// must match) and waits until it is open. The host's default dial timeout applies.
pub async fn dial(addr: &str, protocol: &str) -> Result<Stream> {
    dial_with_timeout(addr, protocol, None).await
}

/// Like [`dial`], with a bound on the dial (`None`: the host's default).
pub async fn dial_with_timeout(addr: &str, protocol: &str, timeout: Option<Duration>) -> Result<Stream> {
    let timeout = timeout.map(|t| timeout_millis(t).max(1)).unwrap_or(0);
    let result = unsafe { sys::p2p_dial(addr.as_ptr(), addr.len(), protocol.as_ptr(), protocol.len(), timeout) };
    let stream = Stream { handle: Handle::from_result(result)? };
    // A write of nothing reports how the open went: would-block until the stream is open (the
    // handle becomes ready then), the dial's error if it failed, 0 once open.
    let raw = stream.handle.as_raw();
    stream.handle.retry(move || unsafe { sys::write(raw, [].as_ptr(), 0) }).await?;
    Ok(stream)
}

/// Starts handling a granted protocol id. Inbound streams wait in the listener (up to 64; more are
/// reset) until [`Listener::accept`]ed. Dropping the listener stops handling the protocol.
pub fn listen(protocol: &str) -> Result<Listener> {
    let result = unsafe { sys::p2p_listen(protocol.as_ptr(), protocol.len()) };
    Ok(Listener { handle: Handle::from_result(result)?, protocol: protocol.to_string() })
}

/// A protocol this module handles; made by [`listen`].
#[derive(Debug)]
pub struct Listener {
    handle: Handle,
    protocol: String,
}

impl Listener {
    /// The protocol id.
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// The listener's handle.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Waits for the next inbound stream.
    pub async fn accept(&self) -> Result<Stream> {
        let raw = self.handle.as_raw();
        let result = self.handle.retry(move || unsafe { sys::p2p_accept(raw) }).await?;
        Ok(Stream { handle: Handle::from_result(result)? })
    }
}

/// An open libp2p stream. Reading and writing take `&self`, so one task can read while another
/// writes (e.g. `join(stream.read_to_end(n), stream.write_all(data))`).
///
/// Dropping a stream resets it — except after [`Stream::close_write`]: then the queued bytes and
/// the half-close still go out, so `close_write` then drop never loses data.
#[derive(Debug)]
pub struct Stream {
    handle: Handle,
}

impl Stream {
    /// The stream's handle.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// The peer ID of the other side.
    pub fn remote_peer(&self) -> Result<String> {
        let raw = self.handle.as_raw();
        copy_out_string(128, |buf| unsafe { sys::p2p_remote_peer(raw, buf.as_mut_ptr(), buf.len()) })
    }

    /// Reads up to `buf.len()` bytes: the count, `0` once the other side half-closed.
    pub async fn read(&self, buf: &mut [u8]) -> Result<usize> {
        self.handle.read(buf).await
    }

    /// Reads until the other side half-closes; fails with [`ErrorCode::TooLarge`] past `max` bytes.
    pub async fn read_to_end(&self, max: usize) -> Result<Vec<u8>> {
        self.handle.read_to_end(max, "the stream's data").await
    }

    /// Queues up to `buf.len()` bytes; returns how many were taken, waiting while the queue is full.
    pub async fn write(&self, buf: &[u8]) -> Result<usize> {
        self.handle.write(buf).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&self, buf: &[u8]) -> Result<()> {
        self.handle.write_all(buf).await
    }

    /// Half-closes: the other side reads the end of the data after everything queued.
    pub async fn close_write(&self) -> Result<()> {
        self.handle.close_write().await
    }
}
