//! p2p-echo: a libp2p echo service (the Rust twin of examples/c/p2p-echo.c). Listens on a protocol
//! on the runtime's shared node and serves every inbound stream in a task of its own: sends the
//! stream's bytes back, then half-closes it. Runs forever.
//!   station run --allow-p2p /station-test/echo/1.0.0 --p2p-listen /ip4/127.0.0.1/tcp/4101 \
//!       --json .build-examples/rust-p2p-echo.wasm [PROTOCOL]
//!
//! Reports "echo listening on PROTOCOL as PEER_ID" at start, then per stream
//!   activity info  "echoed N bytes from PEER"  and one job_completed
//!   activity error "stream from PEER failed after N bytes: CODE: message"
//! Exit status 1 when it cannot listen, 2 for a usage error.

use std::process::exit;
use std::cell::Cell;
use std::time::Duration;

use station::{activity, p2p, ErrorCode};

const DEFAULT_PROTOCOL: &str = "/station-test/echo/1.0.0";

/// Echoes one stream until the other side half-closes; `total` counts the bytes sent back.
async fn echo(stream: &p2p::Stream, total: &Cell<u64>) -> station::Result<()> {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            // close_write then drop: the queued bytes and the half-close still go out.
            return stream.close_write().await;
        }
        stream.write_all(&buffer[..n]).await?;
        total.set(total.get() + n as u64);
    }
}

async fn serve(stream: p2p::Stream) {
    let peer = stream.remote_peer().unwrap_or_else(|_| "an unknown peer".to_string());
    let total = Cell::new(0);
    match echo(&stream, &total).await {
        Ok(()) => {
            activity::info!("echoed {} bytes from {}", total.get(), peer);
            let _ = station::job_completed();
        }
        Err(error) => activity::error!("stream from {} failed after {} bytes: {}", peer, total.get(), error),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let protocol = match args.as_slice() {
        [] => DEFAULT_PROTOCOL.to_string(),
        [p] if p.starts_with('/') => p.clone(),
        _ => {
            eprintln!("usage: p2p-echo [PROTOCOL]   (default {})", DEFAULT_PROTOCOL);
            exit(2)
        }
    };
    let listener = match p2p::listen(&protocol) {
        Ok(listener) => listener,
        Err(error) => {
            activity::error!("cannot listen on {}: {}", protocol, error);
            eprintln!("p2p-echo: cannot listen on {}: {}", protocol, error);
            exit(1)
        }
    };
    let me = p2p::peer_id().unwrap_or_default();
    activity::info!("echo listening on {} as {}", protocol, me);
    station::main(async move {
        loop {
            match listener.accept().await {
                Ok(stream) => drop(station::spawn(serve(stream))),
                // Out of handles (--max-handles): let running streams finish, then accept again.
                Err(error) if error.code() == ErrorCode::LimitReached => station::sleep(Duration::from_millis(50)).await,
                Err(error) => {
                    activity::error!("accept failed: {}", error);
                    station::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    })
}
