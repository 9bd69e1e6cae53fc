//! A small single-threaded executor: tasks run until they wait, then one `station.poll` waits for
//! every handle a task is waiting on, bounded by the nearest timer.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use crate::sys;

/// The task id of the future given to `block_on`.
const MAIN: usize = usize::MAX;

/// The raw bad-handle result.
const BAD_HANDLE: i32 = -3;

/// The most handles one `station.poll` call takes (docs/abi.md).
const MAX_POLL: usize = 65_536;

type Queue = Arc<Mutex<VecDeque<usize>>>;

/// Wakes one task by queueing its id once (until the task is polled again).
struct TaskWaker {
    id: usize,
    queued: AtomicBool,
    queue: Queue,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.queue.lock().unwrap_or_else(|e| e.into_inner()).push_back(self.id);
        }
    }
}

struct Task {
    future: Option<Pin<Box<dyn Future<Output = ()>>>>,
    state: Arc<TaskWaker>,
    waker: Waker,
}

/// Hashes handle numbers with one multiplication: they are small distinct integers chosen by the
/// host, and SipHash would cost more than the rest of a wake-up in an interpreter.
#[derive(Default)]
struct HandleHasher(u64);

impl Hasher for HandleHasher {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8 | u64::from(*byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_i32(&mut self, value: i32) {
        self.0 = u64::from(value as u32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What the executor waits on when no task can run.
#[derive(Default)]
pub(crate) struct Reactor {
    /// Handles some task waits on, with the wakers of those tasks.
    waiting: HashMap<i32, Vec<Waker>, BuildHasherDefault<HandleHasher>>,
    /// Timers by (deadline, sequence number).
    timers: BTreeMap<(Instant, u64), Waker>,
    next_timer: u64,
    handles: Vec<i32>,
    ready: Vec<i32>,
}

impl Reactor {
    fn register(&mut self, handle: i32, waker: &Waker) {
        let wakers = self.waiting.entry(handle).or_insert_with(Vec::new);
        if !wakers.iter().any(|w| w.will_wake(waker)) {
            wakers.push(waker.clone());
        }
    }

    /// Wakers of the timers that are due at `now`.
    fn due(&mut self, now: Instant, woken: &mut Vec<Waker>) {
        while let Some((&key, _)) = self.timers.iter().next() {
            if key.0 > now {
                break;
            }
            if let Some(waker) = self.timers.remove(&key) {
                woken.push(waker);
            }
        }
    }

    /// Waits until a handle is ready or a timer is due, and returns the wakers to call.
    fn wait(&mut self) -> Vec<Waker> {
        let mut woken = Vec::new();
        let now = Instant::now();
        self.due(now, &mut woken);
        if !woken.is_empty() {
            return woken;
        }
        let next = self.timers.keys().next().map(|key| key.0);
        if self.waiting.is_empty() {
            match next {
                // WASI poll_oneoff on a clock: the runtime ends it at once when it stops the module.
                Some(deadline) => std::thread::sleep(deadline.saturating_duration_since(now)),
                None => panic!(
                    "station: every task is waiting, but on nothing that can wake it (no handle, no timer)"
                ),
            }
            self.due(Instant::now(), &mut woken);
            return woken;
        }
        let timeout_ms = match next {
            Some(deadline) => timeout_millis(deadline.saturating_duration_since(now)),
            None => -1,
        };
        self.handles.clear();
        self.handles.extend(self.waiting.keys().copied().take(MAX_POLL));
        self.ready.clear();
        self.ready.resize(self.handles.len(), 0);
        let count = unsafe { sys::poll(self.handles.as_ptr(), self.handles.len(), self.ready.as_mut_ptr(), timeout_ms) };
        if count < 0 {
            // A handle closed behind the crate's back (bad-handle): wake every waiting task so each
            // retries its own call and gets its own error (a call on a closed handle does not
            // return would-block, so nobody waits on it again). Anything else cannot be fixed by
            // retrying (e.g. the module is being stopped): stop with the host's message.
            if count != BAD_HANDLE {
                panic!("station: poll failed: {}", crate::Error::from_raw(count));
            }
            for (_, wakers) in self.waiting.drain() {
                woken.extend(wakers);
            }
        } else {
            for index in 0..count as usize {
                if let Some(wakers) = self.waiting.remove(&self.ready[index]) {
                    woken.extend(wakers);
                }
            }
        }
        self.due(Instant::now(), &mut woken);
        woken
    }
}

/// Milliseconds for a poll timeout, rounded up so a timer is never woken early.
pub(crate) fn timeout_millis(duration: Duration) -> i64 {
    let millis = duration.as_millis() + u128::from(duration.subsec_nanos() % 1_000_000 != 0);
    millis.min(i64::MAX as u128) as i64
}

struct Executor {
    running: Cell<bool>,
    queue: Queue,
    tasks: RefCell<Vec<Option<Task>>>,
    free: RefCell<Vec<usize>>,
    reactor: RefCell<Reactor>,
}

thread_local! {
    static EXECUTOR: Executor = Executor {
        running: Cell::new(false),
        queue: Arc::new(Mutex::new(VecDeque::new())),
        tasks: RefCell::new(Vec::new()),
        free: RefCell::new(Vec::new()),
        reactor: RefCell::new(Reactor::default()),
    };
}

impl Executor {
    fn pop(&self) -> Option<usize> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }

    fn run_task(&self, id: usize) {
        let taken = {
            let mut tasks = self.tasks.borrow_mut();
            match tasks.get_mut(id).and_then(|slot| slot.as_mut()) {
                Some(task) => {
                    task.state.queued.store(false, Ordering::Release);
                    task.future.take().map(|future| (future, task.waker.clone()))
                }
                None => None,
            }
        };
        // The task is polled without any borrow held: it may spawn, register or drop handles.
        let (mut future, waker) = match taken {
            Some(taken) => taken,
            None => return,
        };
        let done = future.as_mut().poll(&mut Context::from_waker(&waker)).is_ready();
        if done {
            let finished = self.tasks.borrow_mut()[id].take();
            self.free.borrow_mut().push(id);
            drop(finished);
            drop(future);
        } else if let Some(Some(task)) = self.tasks.borrow_mut().get_mut(id) {
            task.future = Some(future);
        }
    }

    /// Drops every task and registration (at the end of `block_on`).
    fn clear(&self) {
        let tasks = std::mem::take(&mut *self.tasks.borrow_mut());
        drop(tasks); // may close handles, which touches the reactor
        self.free.borrow_mut().clear();
        let mut reactor = self.reactor.borrow_mut();
        reactor.waiting.clear();
        reactor.timers.clear();
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Marks the executor idle again, also when the main future panics.
struct Running;

impl Drop for Running {
    fn drop(&mut self) {
        EXECUTOR.with(|executor| {
            executor.clear();
            executor.running.set(false);
        });
    }
}

/// Runs `future` to completion on this thread, together with every task [`spawn`]ed meanwhile,
/// and returns its output.
///
/// When the future finishes, tasks still running are dropped (their handles close). Calling
/// `block_on` inside a running `block_on` panics: `.await` the future instead.
///
/// ```no_run
/// let text = station::block_on(async {
///     station::http::get("https://example.com/").await?.text().await
/// });
/// ```
pub fn block_on<F: Future>(future: F) -> F::Output {
    EXECUTOR.with(|executor| {
        if executor.running.replace(true) {
            panic!("station::block_on called inside a running block_on: .await the future instead");
        }
    });
    let _running = Running;
    let mut future = Box::pin(future);
    let (main, main_waker) = EXECUTOR.with(|executor| {
        let main = Arc::new(TaskWaker { id: MAIN, queued: AtomicBool::new(false), queue: executor.queue.clone() });
        let waker = Waker::from(main.clone());
        waker.wake_by_ref();
        (main, waker)
    });
    loop {
        let next = EXECUTOR.with(|executor| executor.pop());
        match next {
            Some(MAIN) => {
                main.queued.store(false, Ordering::Release);
                if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&main_waker)) {
                    return output;
                }
            }
            Some(id) => EXECUTOR.with(|executor| executor.run_task(id)),
            None => {
                let woken = EXECUTOR.with(|executor| executor.reactor.borrow_mut().wait());
                for waker in woken {
                    waker.wake();
                }
            }
        }
    }
}

/// Registers `waker` to be woken when `handle` is ready (a call on it would not block).
pub(crate) fn wait_for_handle(handle: i32, waker: &Waker) {
    EXECUTOR.with(|executor| executor.reactor.borrow_mut().register(handle, waker));
}

/// Forgets every waiter of a handle that is being closed, so no poll names a closed handle.
pub(crate) fn forget_handle(handle: i32) {
    let _ = EXECUTOR.try_with(|executor| {
        if let Ok(mut reactor) = executor.reactor.try_borrow_mut() {
            reactor.waiting.remove(&handle);
        }
    });
}

/// The output of a task started with [`spawn`]: await it to get the task's result.
///
/// Dropping a `JoinHandle` detaches the task: it keeps running until it finishes or `block_on`
/// returns.
pub struct JoinHandle<T> {
    state: Rc<RefCell<JoinState<T>>>,
}

struct JoinState<T> {
    output: Option<T>,
    finished: bool,
    waiter: Option<Waker>,
}

impl<T> JoinHandle<T> {
    /// Whether the task has finished (its output is ready).
    pub fn is_finished(&self) -> bool {
        self.state.borrow().finished
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.state.borrow_mut();
        match state.output.take() {
            Some(output) => Poll::Ready(output),
            None if state.finished => panic!("JoinHandle polled after it returned the output"),
            None => {
                state.waiter = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Starts `future` as a task of its own, run by the enclosing [`block_on`] (or [`crate::main`])
/// whenever it can make progress, concurrently with the others.
///
/// ```no_run
/// station::main(async {
///     let task = station::spawn(async { station::http::get("http://127.0.0.1:8080/").await.map(|r| r.status()) });
///     let status = task.await?;
///     Ok::<(), station::Error>(())
/// }).unwrap();
/// ```
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let state = Rc::new(RefCell::new(JoinState { output: None, finished: false, waiter: None }));
    let shared = state.clone();
    let wrapped = async move {
        let output = future.await;
        let waiter = {
            let mut state = shared.borrow_mut();
            state.output = Some(output);
            state.finished = true;
            state.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    };
    EXECUTOR.with(|executor| {
        let reused = executor.free.borrow_mut().pop();
        let mut tasks = executor.tasks.borrow_mut();
        let id = reused.unwrap_or(tasks.len());
        let state = Arc::new(TaskWaker { id, queued: AtomicBool::new(false), queue: executor.queue.clone() });
        let waker = Waker::from(state.clone());
        let task = Task { future: Some(Box::pin(wrapped)), state, waker: waker.clone() };
        if id == tasks.len() {
            tasks.push(Some(task));
        } else {
            tasks[id] = Some(task);
        }
        drop(tasks);
        waker.wake();
    });
    JoinHandle { state }
}

/// A future that finishes at a point in time; made by [`sleep`] and [`sleep_until`].
pub struct Sleep {
    deadline: Instant,
    timer: Option<(Instant, u64)>,
}

/// Waits for `duration` (WASI monotonic clock); other tasks run meanwhile.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now() + duration)
}

/// Waits until `deadline`; other tasks run meanwhile.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep { deadline, timer: None }
}

impl Sleep {
    /// When the sleep ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            if let Some(key) = self.timer.take() {
                EXECUTOR.with(|executor| executor.reactor.borrow_mut().timers.remove(&key));
            }
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        let key = EXECUTOR.with(|executor| {
            let mut reactor = executor.reactor.borrow_mut();
            let key = match self.timer {
                Some(key) => key,
                None => {
                    reactor.next_timer += 1;
                    (deadline, reactor.next_timer)
                }
            };
            reactor.timers.insert(key, cx.waker().clone());
            key
        });
        self.timer = Some(key);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(key) = self.timer.take() {
            let _ = EXECUTOR.try_with(|executor| {
                if let Ok(mut reactor) = executor.reactor.try_borrow_mut() {
                    reactor.timers.remove(&key);
                }
            });
        }
    }
}

/// Lets every other ready task run once before this one continues.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[test]
    fn runs_a_ready_future() {
        assert_eq!(block_on(async { 40 + 2 }), 42);
    }

    #[test]
    fn spawned_tasks_run_and_return_their_output() {
        let total = block_on(async {
            let handles: Vec<_> = (0..100u64).map(|i| spawn(async move { i * 2 })).collect();
            let mut total = 0;
            for handle in handles {
                total += handle.await;
            }
            total
        });
        assert_eq!(total, (0..100u64).map(|i| i * 2).sum());
    }

    #[test]
    fn tasks_interleave_at_yield_points() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let (a, b) = (log.clone(), log.clone());
        block_on(async move {
            let first = spawn(async move {
                for i in 0..3 {
                    a.borrow_mut().push(format!("a{}", i));
                    yield_now().await;
                }
            });
            let second = spawn(async move {
                for i in 0..3 {
                    b.borrow_mut().push(format!("b{}", i));
                    yield_now().await;
                }
            });
            first.await;
            second.await;
        });
        assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
    }

    #[test]
    fn sleeps_wake_in_deadline_order() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let clone = log.clone();
        block_on(async move {
            let mut handles = Vec::new();
            for (name, millis) in [("slow", 30u64), ("fast", 1), ("middle", 15)] {
                let log = clone.clone();
                handles.push(spawn(async move {
                    sleep(Duration::from_millis(millis)).await;
                    log.borrow_mut().push(name);
                }));
            }
            for handle in handles {
                handle.await;
            }
        });
        assert_eq!(*log.borrow(), ["fast", "middle", "slow"]);
    }

    #[test]
    fn a_sleep_lasts_at_least_its_duration() {
        let start = Instant::now();
        block_on(sleep(Duration::from_millis(20)));
        assert!(start.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn tasks_left_running_are_dropped_when_block_on_returns() {
        struct Flag(Rc<Cell<bool>>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let dropped = Rc::new(Cell::new(false));
        let flag = Flag(dropped.clone());
        block_on(async move {
            spawn(async move {
                let _flag = flag;
                sleep(Duration::from_secs(3600)).await;
            });
            yield_now().await;
        });
        assert!(dropped.get());
        // The executor is usable again afterwards.
        assert_eq!(block_on(async { 1 }), 1);
    }

    #[test]
    #[should_panic(expected = "inside a running block_on")]
    fn nested_block_on_panics() {
        block_on(async { block_on(async {}) });
    }

    #[test]
    #[should_panic(expected = "on nothing that can wake it")]
    fn waiting_forever_on_nothing_panics() {
        block_on(std::future::pending::<()>());
    }

    #[test]
    fn poll_timeouts_round_up() {
        assert_eq!(timeout_millis(Duration::from_millis(5)), 5);
        assert_eq!(timeout_millis(Duration::from_micros(5_001)), 6);
        assert_eq!(timeout_millis(Duration::from_nanos(1)), 1);
        assert_eq!(timeout_millis(Duration::ZERO), 0);
        assert_eq!(timeout_millis(Duration::MAX), i64::MAX);
    }
}
