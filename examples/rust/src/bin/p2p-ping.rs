//! p2p-ping: sends "ping N" over a libp2p protocol every INTERVAL_MS and checks that the same bytes
//! come back (the client half of p2p-echo; the Rust twin of examples/c/p2p-ping.c). Runs forever.
//!   station run --allow-p2p /station-test/echo/1.0.0 --p2p-local --json \
//!       .build-examples/rust-p2p-ping.wasm /ip4/127.0.0.1/tcp/4101 /station-test/echo/1.0.0 1000
//!
//! Args: ADDRESS [PROTOCOL] [INTERVAL_MS]
//!   ADDRESS without /p2p/ gets /p2p/<own peer id> appended (an echo module on the same node).
//! Each round N: dial, write "ping N", half-close, read to the end, all within 10 s. Reports
//!   activity info  "echo ok N"  and one job_completed    when the reply equals what was sent
//!   activity error "ping N: reply differs: got M bytes, sent S"
//!   activity error "ping N: CODE: message"              when the round failed
//! Exit status 2 for a usage error.

use std::process::exit;
use std::time::Duration;

use station::{activity, p2p};

const DEFAULT_PROTOCOL: &str = "/station-test/echo/1.0.0";
const ROUND_TIMEOUT: Duration = Duration::from_secs(10);

async fn round(address: &str, protocol: &str, sent: &[u8]) -> station::Result<Vec<u8>> {
    let stream = p2p::dial_with_timeout(address, protocol, Some(ROUND_TIMEOUT)).await?;
    stream.write_all(sent).await?;
    stream.close_write().await?;
    stream.read_to_end(256).await
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let interval = args.get(2).map(|text| text.parse::<u64>().ok().filter(|v| *v > 0));
    if args.is_empty() || args.len() > 3 || !args[0].starts_with('/') || args.get(1).map_or(false, |p| !p.starts_with('/')) || interval == Some(None) {
        eprintln!("usage: p2p-ping ADDRESS [PROTOCOL] [INTERVAL_MS]");
        exit(2)
    }
    let interval = Duration::from_millis(interval.flatten().unwrap_or(1000));
    let protocol = args.get(1).cloned().unwrap_or_else(|| DEFAULT_PROTOCOL.to_string());
    let address = if args[0].contains("/p2p/") {
        args[0].clone()
    } else {
        match p2p::peer_id() {
            Ok(me) => format!("{}/p2p/{}", args[0].trim_end_matches('/'), me),
            Err(error) => {
                activity::error!("cannot read our own peer id: {}", error);
                exit(1)
            }
        }
    };
    station::main(async {
        for n in 1u64.. {
            let sent = format!("ping {}", n);
            match station::timeout(ROUND_TIMEOUT, round(&address, &protocol, sent.as_bytes())).await {
                Ok(Ok(reply)) if reply == sent.as_bytes() => {
                    activity::info!("echo ok {}", n);
                    let _ = station::job_completed();
                }
                Ok(Ok(reply)) => activity::error!("ping {}: reply differs: got {} bytes, sent {}", n, reply.len(), sent.len()),
                Ok(Err(error)) | Err(error) => {
                    eprintln!("p2p-ping: ping {}: {}", n, error);
                    activity::error!("ping {}: {}", n, error);
                }
            }
            station::sleep(interval).await;
        }
    })
}
