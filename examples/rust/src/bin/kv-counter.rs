//! kv-counter: reads the key "counter" (decimal text, absent = 0), adds one, stores it and prints
//! the new value. With an argument N it does that N times and prints only the last value.
//!   station run --kv counter.sqlite .build-examples/rust-kv-counter.wasm [N]
//! Exit status: 0, 1 when the store fails or holds something that is not a count, 2 for usage.

use std::process::exit;

fn increment() -> Result<u64, String> {
    let current = match station::kv::get_string("counter").map_err(|e| format!("kv get failed: {}", e))? {
        None => 0,
        Some(text) => text.parse::<u64>().map_err(|_| "the stored counter is not a decimal number".to_string())?,
    };
    let next = current + 1;
    station::kv::put("counter", next.to_string()).map_err(|e| format!("kv put failed: {}", e))?;
    Ok(next)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let times = match args.as_slice() {
        [] => 1,
        [n] => match n.parse::<u64>() {
            Ok(times) if times > 0 && n.bytes().all(|b| b.is_ascii_digit()) => times,
            _ => usage(),
        },
        _ => usage(),
    };
    let mut value = 0;
    for _ in 0..times {
        value = increment().unwrap_or_else(|message| {
            eprintln!("kv-counter: {}", message);
            exit(1)
        });
    }
    println!("{}", value);
}

fn usage() -> ! {
    eprintln!("usage: kv-counter [TIMES]   (TIMES: a positive number, default 1)");
    exit(2)
}
