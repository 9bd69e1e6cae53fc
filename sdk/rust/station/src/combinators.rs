//! Waiting for several futures at once: [`join`], [`join_all`], [`select`], [`timeout`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::error::{Error, ErrorCode, Result};
use crate::executor::{sleep, Sleep};

/// A future that is still running, or its output once it finished.
enum MaybeDone<F: Future> {
    Running(Pin<Box<F>>),
    Done(Option<F::Output>),
}

// The future is boxed and the output is never pinned, so moving a MaybeDone is fine.
impl<F: Future> Unpin for MaybeDone<F> {}

impl<F: Future> MaybeDone<F> {
    fn new(future: F) -> Self {
        MaybeDone::Running(Box::pin(future))
    }

    /// Polls a running future; true once it has finished.
    fn poll_done(&mut self, cx: &mut Context<'_>) -> bool {
        if let MaybeDone::Running(future) = self {
            match future.as_mut().poll(cx) {
                Poll::Ready(output) => *self = MaybeDone::Done(Some(output)),
                Poll::Pending => return false,
            }
        }
        true
    }

    fn take(&mut self) -> F::Output {
        match self {
            MaybeDone::Done(output) => output.take().expect("output taken twice"),
            MaybeDone::Running(_) => unreachable!("output of a future that has not finished"),
        }
    }
}

/// The future of [`join`].
pub struct Join<A: Future, B: Future> {
    a: MaybeDone<A>,
    b: MaybeDone<B>,
}

/// Runs two futures concurrently and returns both outputs once both have finished.
///
/// ```no_run
/// # station::main(async {
/// let (a, b) = station::join(station::http::get("http://127.0.0.1:8080/a"), station::http::get("http://127.0.0.1:8080/b")).await;
/// # Ok::<(), station::Error>(()) }).unwrap();
/// ```
pub fn join<A: Future, B: Future>(a: A, b: B) -> Join<A, B> {
    Join { a: MaybeDone::new(a), b: MaybeDone::new(b) }
}

impl<A: Future, B: Future> Future for Join<A, B> {
    type Output = (A::Output, B::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut(); // Join is Unpin: the futures are boxed
        let a = this.a.poll_done(cx);
        let b = this.b.poll_done(cx);
        if a && b {
            Poll::Ready((this.a.take(), this.b.take()))
        } else {
            Poll::Pending
        }
    }
}

/// The future of [`join_all`].
pub struct JoinAll<F: Future> {
    futures: Vec<MaybeDone<F>>,
}

/// Runs every future concurrently and returns their outputs in the order given.
///
/// Each wake-up polls every unfinished future; for thousands of long-lived futures, [`crate::spawn`]
/// them instead (each task is polled only when it can progress).
pub fn join_all<I>(futures: I) -> JoinAll<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    JoinAll { futures: futures.into_iter().map(MaybeDone::new).collect() }
}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut all = true;
        for future in &mut this.futures {
            all &= future.poll_done(cx);
        }
        if all {
            Poll::Ready(this.futures.iter_mut().map(MaybeDone::take).collect())
        } else {
            Poll::Pending
        }
    }
}

/// Which of two futures finished first, with its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Either<A, B> {
    /// The first future finished first.
    Left(A),
    /// The second future finished first.
    Right(B),
}

/// The future of [`select`].
pub struct Select<A: Future, B: Future> {
    a: Pin<Box<A>>,
    b: Pin<Box<B>>,
}

/// Waits for whichever of two futures finishes first and drops the other (which cancels its work:
/// dropping a request closes its handle). When both are ready, `a` wins.
///
/// ```no_run
/// use station::Either;
/// use std::time::Duration;
/// # station::main(async {
/// match station::select(station::http::get("http://127.0.0.1:8080/"), station::sleep(Duration::from_secs(2))).await {
///     Either::Left(response) => println!("status {}", response?.status()),
///     Either::Right(()) => println!("too slow"),
/// }
/// # Ok::<(), station::Error>(()) }).unwrap();
/// ```
pub fn select<A: Future, B: Future>(a: A, b: B) -> Select<A, B> {
    Select { a: Box::pin(a), b: Box::pin(b) }
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Poll::Ready(output) = this.a.as_mut().poll(cx) {
            return Poll::Ready(Either::Left(output));
        }
        if let Poll::Ready(output) = this.b.as_mut().poll(cx) {
            return Poll::Ready(Either::Right(output));
        }
        Poll::Pending
    }
}

/// The future of [`timeout`].
pub struct Timeout<F: Future> {
    inner: Select<F, Sleep>,
    duration: Duration,
}

/// Runs `future` for at most `duration`: its output, or an error with [`ErrorCode::TimedOut`]
/// (the future is dropped, which cancels its work).
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout { inner: select(future, sleep(duration)), duration }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll(cx) {
            Poll::Ready(Either::Left(output)) => Poll::Ready(Ok(output)),
            Poll::Ready(Either::Right(())) => Poll::Ready(Err(Error::new(
                ErrorCode::TimedOut,
                format!("no result within {} ms", this.duration.as_millis()),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::{block_on, spawn, yield_now};

    #[test]
    fn join_waits_for_both() {
        let (a, b) = block_on(join(
            async {
                sleep(Duration::from_millis(5)).await;
                "a"
            },
            async { 2 },
        ));
        assert_eq!((a, b), ("a", 2));
    }

    #[test]
    fn join_all_keeps_the_order_given() {
        let outputs = block_on(join_all((0..10u64).map(|i| async move {
            sleep(Duration::from_millis(10 - i)).await;
            i
        })));
        assert_eq!(outputs, (0..10).collect::<Vec<_>>());
        assert_eq!(block_on(join_all(Vec::<std::future::Ready<u8>>::new())), Vec::<u8>::new());
    }

    #[test]
    fn join_runs_both_concurrently() {
        // Each half waits for the other: run one after the other, they could never finish.
        use std::cell::Cell;
        let (ping, pong) = (Cell::new(false), Cell::new(false));
        block_on(join(
            async {
                ping.set(true);
                while !pong.get() {
                    yield_now().await;
                }
            },
            async {
                while !ping.get() {
                    yield_now().await;
                }
                pong.set(true);
            },
        ));
        assert!(ping.get() && pong.get());
    }

    #[test]
    fn select_returns_the_first_and_drops_the_other() {
        let result = block_on(select(sleep(Duration::from_secs(3600)), async { 7 }));
        assert_eq!(result, Either::Right(7));
        // The hour-long timer was dropped with its future: nothing is left to wait for.
        let left = block_on(select(async { "now" }, std::future::pending::<()>()));
        assert_eq!(left, Either::Left("now"));
    }

    #[test]
    fn timeout_fails_with_timed_out() {
        let error = block_on(timeout(Duration::from_millis(5), std::future::pending::<()>())).unwrap_err();
        assert_eq!(error.code(), ErrorCode::TimedOut);
        assert_eq!(block_on(timeout(Duration::from_secs(5), async { 3 })).unwrap(), 3);
    }

    #[test]
    fn spawned_tasks_progress_while_main_waits_in_join() {
        let value = block_on(async {
            let task = spawn(async {
                yield_now().await;
                sleep(Duration::from_millis(2)).await;
                5
            });
            let (a, b) = join(task, async { 6 }).await;
            a + b
        });
        assert_eq!(value, 11);
    }
}
