//! retrieval-checker: the pattern Station modules use. Each round it fetches a task list from an
//! HTTP API, retrieves every CID over IPFS (all at once), verifies it, POSTs one measurement per
//! task back to the API and counts a job for every measurement the API accepted.
//!   station run --allow-net http://127.0.0.1:8080 --allow-ipfs --json \
//!       .build-examples/rust-retrieval-checker.wasm http://127.0.0.1:8080 [ROUNDS] [INTERVAL_MS]
//!
//! The API (API is its origin, e.g. http://127.0.0.1:8080):
//!   GET  API/tasks          text, one task per line: "CID SIZE" (SIZE: the file's length in bytes;
//!                           blank lines and lines starting with '#' are skipped)
//!   POST API/measurements   one JSON object per task:
//!                           {"cid":"…","ok":true,"bytes":N,"duration_ms":M,"error":null,
//!                            "station_id":"…"|null,"module":"…"}
//! Verification: the runtime checks every block against its CID; the module checks that the whole
//! file arrived (its length is SIZE). A retrieval that fails or differs is still a measurement
//! ("ok":false with the reason in "error").
//! ROUNDS: how many rounds (default 1; 0 = forever), INTERVAL_MS: the pause between rounds
//! (default 60000). After each round it prints "round R: tasks=T ok=K posted=P" and reports it as
//! activity. Exit status: 0 when every measurement was posted, 1 when the task list could not be
//! read or a post failed, 2 for a usage error.

use std::process::exit;
use std::time::{Duration, Instant};

use station::http::{self, Request};
use station::{activity, identity, ipfs, Error, ErrorCode};

/// Retrievals larger than this are refused (a task list cannot make the module hold more).
const MAX_SIZE: u64 = 64 << 20;
const RETRIEVAL_TIMEOUT: Duration = Duration::from_secs(60);

struct Task {
    cid: String,
    size: u64,
}

struct Measurement {
    cid: String,
    bytes: u64,
    duration: Duration,
    error: Option<String>,
}

/// Parses the task list; a malformed line is an error naming it.
fn parse_tasks(text: &str) -> station::Result<Vec<Task>> {
    let mut tasks = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (cid, size) = (parts.next(), parts.next().and_then(|s| s.parse::<u64>().ok()));
        match (cid, size, parts.next()) {
            (Some(cid), Some(size), None) if size <= MAX_SIZE => tasks.push(Task { cid: cid.to_string(), size }),
            _ => return Err(Error::new(ErrorCode::InvalidArgument, format!("task line {} is not \"CID SIZE\": {}", number + 1, line))),
        }
    }
    Ok(tasks)
}

async fn retrieve(task: &Task) -> Measurement {
    let start = Instant::now();
    let result = async {
        let body = ipfs::Get::new(task.cid.as_str()).timeout(RETRIEVAL_TIMEOUT).start()?;
        body.bytes_limited(task.size as usize).await
    }
    .await;
    let (bytes, error) = match result {
        Ok(data) if data.len() as u64 == task.size => (data.len() as u64, None),
        Ok(data) => (data.len() as u64, Some(format!("got {} bytes, expected {}", data.len(), task.size))),
        Err(error) => (0, Some(error.to_string())),
    };
    Measurement { cid: task.cid.clone(), bytes, duration: start.elapsed(), error }
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_optional(text: Option<&str>) -> String {
    text.map(json_string).unwrap_or_else(|| "null".to_string())
}

async fn post(api: &str, measurement: &Measurement, station_id: Option<&str>, module: &str) -> station::Result<()> {
    let body = format!(
        "{{\"cid\":{},\"ok\":{},\"bytes\":{},\"duration_ms\":{},\"error\":{},\"station_id\":{},\"module\":{}}}",
        json_string(&measurement.cid),
        measurement.error.is_none(),
        measurement.bytes,
        measurement.duration.as_millis(),
        json_optional(measurement.error.as_deref()),
        json_optional(station_id),
        json_string(module),
    );
    let response = Request::post(format!("{}/measurements", api))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await?
        .error_for_status()?;
    response.drain().await.map(|_| ())
}

/// One round; returns whether every measurement was posted.
async fn check_round(api: &str, round: u64, station_id: Option<&str>, module: &str) -> station::Result<bool> {
    let list = http::get(&format!("{}/tasks", api)).await?.error_for_status()?.text().await?;
    let tasks = parse_tasks(&list)?;
    let measurements = station::join_all(tasks.iter().map(retrieve)).await;
    let posts = station::join_all(measurements.iter().map(|m| post(api, m, station_id, module))).await;
    let mut posted = 0;
    for (measurement, result) in measurements.iter().zip(&posts) {
        match result {
            Ok(()) => {
                posted += 1;
                let _ = station::job_completed();
            }
            Err(error) => activity::error!("posting the measurement of {} failed: {}", measurement.cid, error),
        }
        if let Some(problem) = &measurement.error {
            activity::error!("retrieving {} failed: {}", measurement.cid, problem);
        }
    }
    let ok = measurements.iter().filter(|m| m.error.is_none()).count();
    println!("round {}: tasks={} ok={} posted={}", round, tasks.len(), ok, posted);
    activity::info!("round {}: {} of {} retrievals ok, {} measurements posted", round, ok, tasks.len(), posted);
    Ok(posted == tasks.len())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: u64| match args.get(index) {
        None => Some(default),
        Some(text) => text.parse::<u64>().ok(),
    };
    let (rounds, interval) = (number(1, 1), number(2, 60_000));
    if args.is_empty() || args.len() > 3 || !args[0].starts_with("http") || rounds.is_none() || interval.is_none() {
        eprintln!("usage: retrieval-checker API_ORIGIN [ROUNDS] [INTERVAL_MS]   (ROUNDS 0: forever)");
        exit(2)
    }
    let api = args[0].trim_end_matches('/').to_string();
    let (rounds, interval) = (rounds.unwrap_or(1), Duration::from_millis(interval.unwrap_or(60_000)));
    let station_id = identity::station_id().ok().flatten();
    let module = identity::module_name().unwrap_or_default();
    let all_posted = station::main(async {
        let mut all_posted = true;
        let mut round = 1;
        loop {
            match check_round(&api, round, station_id.as_deref(), &module).await {
                Ok(posted) => all_posted &= posted,
                Err(error) => {
                    eprintln!("retrieval-checker: round {}: {}", round, error);
                    activity::error!("round {}: the task list failed: {}", round, error);
                    all_posted = false;
                }
            }
            if rounds != 0 && round >= rounds {
                return all_posted;
            }
            round += 1;
            station::sleep(interval).await;
        }
    });
    exit(if all_posted { 0 } else { 1 })
}
