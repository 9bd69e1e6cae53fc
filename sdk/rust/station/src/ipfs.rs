//! IPFS content through the runtime's shared block store: get a file's bytes or a CAR, put bytes
//! as a file, pin and unpin. Needs the IPFS grant (`--allow-ipfs` for `station run`).
//!
//! ```no_run
//! # station::main(async {
//! let cid = station::ipfs::put(b"hello")?;
//! let bytes = station::ipfs::get(&cid)?.bytes().await?;
//! let car = station::ipfs::Get::new(&cid).car().timeout(std::time::Duration::from_secs(30)).start()?.bytes().await?;
//! station::ipfs::unpin(&cid)?;
//! # Ok::<(), station::Error>(()) }).unwrap();
//! ```

use std::time::Duration;

use crate::buffer::copy_out;
use crate::error::{check, Error, Result};
use crate::executor::timeout_millis;
use crate::handle::{Body, Handle};
use crate::sys;

/// What [`Get`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The file's bytes (UnixFS).
    File,
    /// A CARv1 of the DAG.
    Car,
}

/// A content request being built: a path (`CID[/path]`), a format and a timeout.
#[derive(Debug, Clone)]
pub struct Get {
    path: String,
    format: Format,
    timeout: Option<Duration>,
}

impl Get {
    /// Gets `CID[/path]` as file bytes with the host's default timeout (120 s). For a CAR the path
    /// may end in `?dag-scope=all|entity|block[&entity-bytes=from:to]`: with `block` or `entity`
    /// only the selected blocks are fetched (nothing is pinned) and the CAR is the trustless
    /// gateway's answer; other parameters are ignored; a bad value is
    /// [`crate::ErrorCode::InvalidArgument`].
    pub fn new(path: impl Into<String>) -> Get {
        Get { path: path.into(), format: Format::File, timeout: None }
    }

    /// Asks for a CARv1 instead of the file's bytes.
    pub fn car(mut self) -> Get {
        self.format = Format::Car;
        self
    }

    /// Sets the format.
    pub fn format(mut self, format: Format) -> Get {
        self.format = format;
        self
    }

    /// Bounds the whole retrieval; past it the body fails with [`crate::ErrorCode::TimedOut`].
    pub fn timeout(mut self, timeout: Duration) -> Get {
        self.timeout = Some(timeout);
        self
    }

    /// Starts the retrieval and returns the body to read: local blocks first, then Bitswap peers,
    /// then the configured gateways; every block is verified. A missing CID or path fails the body
    /// with [`crate::ErrorCode::NotFound`].
    pub fn start(&self) -> Result<Body> {
        let format = match self.format {
            Format::File => 0,
            Format::Car => 1,
        };
        let timeout = self.timeout.map(|t| timeout_millis(t).max(1)).unwrap_or(0);
        let result = unsafe { sys::ipfs_get(self.path.as_ptr(), self.path.len(), format, timeout) };
        Ok(Body::new(Handle::from_result(result)?))
    }
}

/// Starts getting `CID[/path]` as file bytes (default timeout); read the returned [`Body`].
pub fn get(path: &str) -> Result<Body> {
    Get::new(path).start()
}

/// Stores `data` as a UnixFS file (CIDv1, raw leaves), pins it for the module and returns its CID.
/// Blocks until the content is durable.
pub fn put(data: impl AsRef<[u8]>) -> Result<String> {
    let data = data.as_ref();
    let cid = copy_out(128, |buf| unsafe { sys::ipfs_put(data.as_ptr(), data.len(), buf.as_mut_ptr(), buf.len()) })
        .map_err(Error::from_raw)?;
    Ok(String::from_utf8_lossy(&cid).into_owned())
}

/// Pins content that is complete in the local store (counts against the module's quota).
pub fn pin(cid: &str) -> Result<()> {
    check(unsafe { sys::ipfs_pin(cid.as_ptr(), cid.len()) }).map(|_| ())
}

/// Removes the module's pin of `cid`.
pub fn unpin(cid: &str) -> Result<()> {
    check(unsafe { sys::ipfs_unpin(cid.as_ptr(), cid.len()) }).map(|_| ())
}
