//! fetch: GETs every URL given, all at once, with a bounded number in flight (the Rust twin of
//! examples/c/fetch.c, with the same options and output).
//!   station run --allow-net http://127.0.0.1:8080 .build-examples/rust-fetch.wasm URL...
//!
//! Prints one line per request, in argument order:
//!   URL STATUS BODY_LENGTH          for a response (any status)
//!   URL error CODE_NAME: message    for a failure (denied, io, timed-out, ...)
//! Options (before the URLs):
//!   -c N      at most N requests in flight (default 64)
//!   -n COUNT  repeat the URL list COUNT times (for benchmarks; default 1)
//!   -q        print only the summary line: requests=R ok=O errors=E bytes=B
//!   -t        append seconds=S (time spent fetching, measured inside the module) to the summary
//! Exit status: 0 when every request got a response, 1 when any failed, 2 for a usage error.
//!
//! Each of the N in-flight slots is a task (`station::spawn`) that takes the next request, awaits
//! it and records the outcome; the executor waits for all of them in one station poll.

use std::cell::{Cell, RefCell};
use std::process::exit;
use std::rc::Rc;
use std::time::Instant;

use station::http;

struct Options {
    urls: Vec<String>,
    total: usize,
    concurrency: usize,
    quiet: bool,
    timed: bool,
}

/// What every task shares (one thread, so plain cells).
struct Run {
    options: Options,
    next: Cell<usize>,
    /// Outcomes waiting for every earlier one to be printed (None in quiet mode).
    outcomes: RefCell<Vec<Option<station::Result<(u16, u64)>>>>,
    next_to_print: Cell<usize>,
    ok: Cell<u64>,
    errors: Cell<u64>,
    bytes: Cell<u64>,
}

impl Run {
    fn url(&self, request: usize) -> &str {
        &self.options.urls[request % self.options.urls.len()]
    }

    fn record(&self, request: usize, outcome: station::Result<(u16, u64)>) {
        match &outcome {
            Ok((_, bytes)) => {
                self.ok.set(self.ok.get() + 1);
                self.bytes.set(self.bytes.get() + bytes);
            }
            Err(_) => self.errors.set(self.errors.get() + 1),
        }
        if self.options.quiet {
            return;
        }
        let mut outcomes = self.outcomes.borrow_mut();
        outcomes[request] = Some(outcome);
        let mut next = self.next_to_print.get();
        while next < outcomes.len() {
            match outcomes[next].take() {
                None => break,
                Some(Ok((status, bytes))) => println!("{} {} {}", self.url(next), status, bytes),
                Some(Err(error)) => println!("{} error {}", self.url(next), error),
            }
            next += 1;
        }
        self.next_to_print.set(next);
    }
}

async fn fetch_one(url: &str) -> station::Result<(u16, u64)> {
    let response = http::get(url).await?;
    let status = response.status();
    let bytes = response.drain().await?;
    Ok((status, bytes))
}

/// One in-flight slot: takes requests until none are left.
async fn worker(run: Rc<Run>) {
    loop {
        let request = run.next.get();
        if request >= run.options.total {
            return;
        }
        run.next.set(request + 1);
        let outcome = fetch_one(run.url(request)).await;
        run.record(request, outcome);
    }
}

fn parse_options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut concurrency, mut repeat, mut quiet, mut timed) = (64usize, 1usize, false, false);
    let mut index = 0;
    while index < args.len() && args[index].starts_with('-') {
        let flag = args[index].as_str();
        index += 1;
        match flag {
            "--" => break,
            "-q" => quiet = true,
            "-t" => timed = true,
            "-c" | "-n" if index < args.len() => {
                let max = if flag == "-c" { 65_536 } else { 100_000_000 };
                let value = match args[index].parse::<usize>() {
                    Ok(v) if v > 0 && v <= max && args[index].bytes().all(|b| b.is_ascii_digit()) => v,
                    _ => {
                        eprintln!("fetch: {} needs a positive number, not '{}'", flag, args[index]);
                        exit(2)
                    }
                };
                index += 1;
                if flag == "-c" {
                    concurrency = value
                } else {
                    repeat = value
                }
            }
            _ => {
                eprintln!("fetch: unknown option '{}'", flag);
                usage()
            }
        }
    }
    let urls = args[index..].to_vec();
    if urls.is_empty() {
        usage()
    }
    let total = urls.len().checked_mul(repeat).unwrap_or_else(|| {
        eprintln!("fetch: too many requests");
        exit(2)
    });
    Options { urls, total, concurrency: concurrency.min(total), quiet, timed }
}

fn usage() -> ! {
    eprintln!("usage: fetch [-c IN_FLIGHT] [-n REPEAT] [-q] [-t] URL...");
    exit(2)
}

fn main() {
    let options = parse_options();
    let outcomes = if options.quiet { Vec::new() } else { (0..options.total).map(|_| None).collect() };
    let run = Rc::new(Run {
        next: Cell::new(0),
        outcomes: RefCell::new(outcomes),
        next_to_print: Cell::new(0),
        ok: Cell::new(0),
        errors: Cell::new(0),
        bytes: Cell::new(0),
        options,
    });
    let start = Instant::now();
    station::main(async {
        let workers: Vec<_> = (0..run.options.concurrency).map(|_| station::spawn(worker(run.clone()))).collect();
        for worker in workers {
            worker.await;
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    let summary = format!("requests={} ok={} errors={} bytes={}", run.ok.get() + run.errors.get(), run.ok.get(), run.errors.get(), run.bytes.get());
    match (run.options.quiet, run.options.timed) {
        (true, true) => println!("{} seconds={:.3}", summary, seconds),
        (true, false) => println!("{}", summary),
        (false, true) => println!("seconds={:.3}", seconds),
        (false, false) => {}
    }
    exit(if run.errors.get() == 0 { 0 } else { 1 })
}
