//! ipfs-get: fetches one CID through the runtime's IPFS store again and again and checks its bytes
//! (the other half of ipfs-put; the Rust twin of examples/c/ipfs-get.c). Runs forever.
//!   station run --allow-ipfs --repo /tmp/repo --json .build-examples/rust-ipfs-get.wasm CID "some text" 1000
//!
//! Args: CID EXPECTED [INTERVAL_MS] [TIMEOUT_MS] (defaults 1000 and 10000). Each round reports
//!   activity info  "got CID (N bytes) ok"  and one job_completed   when the bytes match
//!   activity error "got CID (N bytes): differs from the expected M bytes"
//!   activity error "ipfs_get CID failed: CODE: message"
//! Exit status 2 for a usage error.

use std::process::exit;
use std::time::Duration;

use station::{activity, ipfs};

const MAX_CONTENT: usize = 1 << 20;

fn positive(text: Option<&String>, default: u64) -> Option<u64> {
    match text {
        None => Some(default),
        Some(text) => text.parse::<u64>().ok().filter(|v| *v > 0),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (interval, timeout) = (positive(args.get(2), 1000), positive(args.get(3), 10_000));
    if args.len() < 2 || args.len() > 4 || interval.is_none() || timeout.is_none() || args[1].len() > MAX_CONTENT {
        eprintln!("usage: ipfs-get CID EXPECTED [INTERVAL_MS] [TIMEOUT_MS]");
        exit(2)
    }
    let (cid, expected) = (args[0].clone(), args[1].clone());
    let interval = Duration::from_millis(interval.unwrap_or(1000));
    let timeout = Duration::from_millis(timeout.unwrap_or(10_000));
    station::main(async {
        loop {
            let got = match ipfs::Get::new(cid.as_str()).timeout(timeout).start() {
                Ok(body) => body.bytes_limited(MAX_CONTENT).await,
                Err(error) => Err(error),
            };
            match got {
                Ok(bytes) if bytes == expected.as_bytes() => {
                    activity::info!("got {} ({} bytes) ok", cid, bytes.len());
                    let _ = station::job_completed();
                }
                Ok(bytes) => {
                    eprintln!("ipfs-get: got {} ({} bytes): differs from the expected {} bytes", cid, bytes.len(), expected.len());
                    activity::error!("got {} ({} bytes): differs from the expected {} bytes", cid, bytes.len(), expected.len());
                }
                Err(error) => {
                    eprintln!("ipfs-get: ipfs_get {} failed: {}", cid, error);
                    activity::error!("ipfs_get {} failed: {}", cid, error);
                }
            }
            station::sleep(interval).await;
        }
    })
}
