//! rust-ticker: every INTERVAL_MS (args[0], default 2000; the first at once) adds one to the
//! key-value counter "ticks" and reports the activity "tick N from NAME" and a completed job.
//! Runs until stopped; the count carries on across restarts. A failed store call is reported as an
//! error activity and the module carries on; a bad argument ends it with status 2.
//!   station run --kv /tmp/rust-ticker.sqlite --json examples/daemon/modules/rust-ticker/rust-ticker.wasm 500

use std::time::Duration;

use station::{activity, identity, kv};

/// Reads "ticks" (decimal text, absent = 0), adds one and stores it.
fn tick() -> station::Result<u64> {
    let current = match kv::get_string("ticks")? {
        Some(text) => text.parse::<u64>().unwrap_or(0),
        None => 0,
    };
    kv::put("ticks", (current + 1).to_string())?;
    Ok(current + 1)
}

fn main() {
    let interval = match std::env::args().nth(1) {
        None => 2000,
        Some(text) => match text.parse::<u64>() {
            Ok(ms) if ms > 0 => ms,
            _ => {
                activity::error!("usage: rust-ticker [INTERVAL_MS] (a positive number; got {:?})", text);
                std::process::exit(2)
            }
        },
    };
    let name = identity::module_name().unwrap_or_else(|_| "rust-ticker".to_string());
    station::main(async move {
        loop {
            match tick() {
                Ok(count) => {
                    activity::info!("tick {} from {}", count, name);
                    if let Err(error) = station::job_completed() {
                        activity::error!("job_completed failed: {}", error);
                    }
                }
                Err(error) => activity::error!("the counter failed: {}", error),
            }
            // A WASI clock sleep inside the executor: a stop request ends it at once.
            station::sleep(Duration::from_millis(interval)).await;
        }
    })
}
