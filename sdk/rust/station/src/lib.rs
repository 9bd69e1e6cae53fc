//! Safe Rust bindings of the station ABI (docs/abi.md) for Station modules, with a small async
//! executor.
//!
//! A module is a WASI command built for `wasm32-wasi`. Everything that waits on the network is a
//! future; [`main`] (or [`block_on`]) runs them on one thread, and while every task waits, a single
//! `station.poll` waits for all their handles at once — so hundreds of requests overlap:
//!
//! ```no_run
//! use station::{http, join};
//!
//! fn main() -> station::Result<()> {
//!     station::main(async {
//!         let (a, b) = join(http::get("http://127.0.0.1:8080/a"), http::get("http://127.0.0.1:8080/b")).await;
//!         println!("{} {}", a?.status(), b?.text().await?);
//!         station::activity::info!("fetched two pages");
//!         station::job_completed()
//!     })
//! }
//! ```
//!
//! - Errors are [`Error`]s: an [`ErrorCode`] and the host's message (`last_error`).
//! - Handles are owned: requests, streams, listeners and content close when dropped, which
//!   cancels their work (dropping the loser of a [`select`] cancels it).
//! - Areas: [`http`], [`kv`], [`activity`] (events and jobs), [`identity`], [`p2p`], [`ipfs`].
//!
//! Off wasm32 (native `cargo test`), every station call fails with [`ErrorCode::Unsupported`];
//! the executor, timers and parsing work everywhere.

#![warn(missing_docs)]

mod buffer;
mod combinators;
mod error;
mod executor;
mod handle;
mod sys;

pub mod activity;
pub mod http;
pub mod identity;
pub mod ipfs;
pub mod kv;
pub mod p2p;

pub use activity::job_completed;
pub use combinators::{join, join_all, select, timeout, Either, Join, JoinAll, Select, Timeout};
pub use error::{Error, ErrorCode, Result};
pub use executor::{block_on, sleep, sleep_until, spawn, yield_now, JoinHandle, Sleep, YieldNow};
pub use handle::{Body, Handle, Ready, CHUNK_SIZE};

/// Runs a module's async main function: the same as [`block_on`], named for where it goes.
///
/// ```no_run
/// fn main() -> station::Result<()> {
///     station::main(async {
///         let response = station::http::get("http://127.0.0.1:8080/").await?;
///         println!("{}", response.status());
///         Ok(())
///     })
/// }
/// ```
pub fn main<F: std::future::Future>(future: F) -> F::Output {
    block_on(future)
}
