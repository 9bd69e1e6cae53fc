//! ipfs-put: publishes one text into IPFS, then idles forever so its pin stays (the Rust twin of
//! examples/c/ipfs-put.c).
//!   station run --allow-ipfs --repo /tmp/repo --json .build-examples/rust-ipfs-put.wasm "some text"
//!
//! Args: [TEXT] (default "station test content"). Stores TEXT as a UnixFS file (CIDv1, raw
//! leaves, pinned for the module), reports "published CID" and one job, prints the CID, stores it
//! under the key "cid" when the module has a key-value store, then sleeps.
//! Exit status 1 when the put fails, 2 for a usage error.

use std::process::exit;
use std::time::Duration;

use station::{activity, ipfs, kv, ErrorCode};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 1 {
        eprintln!("usage: ipfs-put [TEXT]   (default \"station test content\")");
        exit(2)
    }
    let text = args.get(0).map(String::as_str).unwrap_or("station test content");
    let cid = match ipfs::put(text) {
        Ok(cid) => cid,
        Err(error) => {
            activity::error!("ipfs_put failed: {}", error);
            eprintln!("ipfs-put: ipfs_put failed: {}", error);
            exit(1)
        }
    };
    activity::info!("published {}", cid);
    let _ = station::job_completed();
    println!("{}", cid);
    // A module without a store is denied: nothing to do then.
    if let Err(error) = kv::put("cid", &cid) {
        if error.code() != ErrorCode::Denied {
            activity::error!("storing the CID under \"cid\" failed: {}", error);
        }
    }
    // Idle: keep the module (and its pin) alive; the runtime ends the sleep when it stops us.
    station::main(async {
        loop {
            station::sleep(Duration::from_secs(3600)).await;
        }
    })
}
