// Timers: setTimeout/setInterval/clearTimeout/clearInterval and queueMicrotask. The timer heap is
// here; the C event loop calls hooks.timers(now) (runs one due timer: -2, else the next deadline or
// -1) and hooks.refTimers() (how many timers keep the loop alive).

const timerHeap = []; // binary min-heap of entries ordered by (deadline, seq)
const activeTimers = new MapCtor(); // id -> entry
let timerSeq = 0;
let nextTimerId = 1;
let refTimerCount = 0;

function timerLess(a, b) { return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq); }
function heapPush(e) {
  let i = timerHeap.length;
  timerHeap[i] = e;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!timerLess(timerHeap[i], timerHeap[p])) break;
    const t = timerHeap[i]; timerHeap[i] = timerHeap[p]; timerHeap[p] = t;
    i = p;
  }
}
function heapPop() {
  const top = timerHeap[0];
  const last = ArrayPrototypePop(timerHeap);
  if (timerHeap.length > 0) {
    timerHeap[0] = last;
    let i = 0;
    const n = timerHeap.length;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && timerLess(timerHeap[l], timerHeap[m])) m = l;
      if (r < n && timerLess(timerHeap[r], timerHeap[m])) m = r;
      if (m === i) break;
      const t = timerHeap[i]; timerHeap[i] = timerHeap[m]; timerHeap[m] = t;
      i = m;
    }
  }
  return top;
}

function normalizeDelay(ms) {
  ms = NumberCtor(ms);
  if (!(ms >= 1)) return ms > 0 ? ms : 0; // NaN, negative, 0
  if (ms > 2147483647) return 1; // as browsers and Deno: overflow fires soon
  return ms;
}

function scheduleTimer(callback, delay, args, repeat, ref = true) {
  const id = nextTimerId++;
  const ms = normalizeDelay(delay);
  const entry = { id, deadline: native.now() + ms, seq: timerSeq++, callback, args, repeat, interval: ms, ref, cancelled: false };
  MapPrototypeSet(activeTimers, id, entry);
  if (ref) refTimerCount++;
  heapPush(entry);
  return id;
}

function cancelTimer(id) {
  const entry = MapPrototypeGet(activeTimers, NumberCtor(id));
  if (entry === undefined) return;
  MapPrototypeDelete(activeTimers, entry.id);
  entry.cancelled = true;
  if (entry.ref) refTimerCount--;
}

function setTimerRef(id, ref) {
  const entry = MapPrototypeGet(activeTimers, id);
  if (entry === undefined || entry.ref === ref) return;
  entry.ref = ref;
  refTimerCount += ref ? 1 : -1;
}

hooks.timers = (now) => {
  while (timerHeap.length > 0 && timerHeap[0].cancelled) heapPop();
  if (timerHeap.length === 0) return -1;
  const top = timerHeap[0];
  if (top.deadline > now) return top.deadline;
  heapPop();
  if (top.repeat) {
    top.deadline = now + MathMax(top.interval, 1);
    top.seq = timerSeq++;
    heapPush(top);
  } else {
    MapPrototypeDelete(activeTimers, top.id);
    top.cancelled = true;
    if (top.ref) refTimerCount--;
  }
  const cb = top.callback;
  if (typeof cb === 'function') ReflectApply(cb, globalObject, top.args);
  else (0, eval)(`${cb}`); // a string callback, as the web allows
  return -2;
};
hooks.refTimers = () => refTimerCount;

function setTimeout(callback, delay = 0, ...args) { return scheduleTimer(callback, delay, args, false); }
function setInterval(callback, delay = 0, ...args) { return scheduleTimer(callback, delay, args, true); }
function clearTimeout(id = undefined) { cancelTimer(id); }
function clearInterval(id = undefined) { cancelTimer(id); }
function queueMicrotask(callback) {
  if (typeof callback !== 'function') throw new TypeErrorCtor("Failed to execute 'queueMicrotask': Argument 1 is not a function");
  PromisePrototypeThen(PromiseResolve(), () => callback());
}

// A promise that resolves after ms, for the prelude's own use (not affected by user timers).
function sleep(ms, ref = true) {
  const d = deferred();
  scheduleTimer(d.resolve, ms, [], false, ref);
  return d.promise;
}
