// ReadableStream (default readers, async iteration, tee, pipeTo/pipeThrough), WritableStream and
// TransformStream: the parts of WHATWG Streams modules use, over a simple queue.

const streamState = new WeakMapCtor();
function rsState(stream) {
  const st = WeakMapPrototypeGet(streamState, stream);
  if (!st) throw new TypeErrorCtor('Illegal invocation');
  return st;
}

class ReadableStreamDefaultController {
  #st;
  constructor(st) { this.#st = st; }
  get desiredSize() { const st = this.#st; return st.state === 'errored' ? null : st.state === 'closed' ? 0 : st.highWaterMark - st.queue.length; }
  enqueue(chunk) {
    const st = this.#st;
    if (st.closeRequested || st.state !== 'readable') throw new TypeErrorCtor('Cannot enqueue a chunk into a closed or errored stream');
    if (st.readers.length > 0) ArrayPrototypeShift(st.readers).resolve({ value: chunk, done: false });
    else ArrayPrototypePush(st.queue, chunk);
  }
  close() {
    const st = this.#st;
    if (st.closeRequested || st.state !== 'readable') throw new TypeErrorCtor('Cannot close a closed or errored stream');
    st.closeRequested = true;
    if (st.queue.length === 0) finishClose(st);
  }
  error(e) { errorStream(this.#st, e); }
}

function finishClose(st) {
  st.state = 'closed';
  for (const r of st.readers) r.resolve({ value: undefined, done: true });
  st.readers = [];
  if (st.closedDeferred) st.closedDeferred.resolve(undefined);
}
function errorStream(st, e) {
  if (st.state !== 'readable') return;
  st.state = 'errored';
  st.error = e;
  st.queue = [];
  for (const r of st.readers) r.reject(e);
  st.readers = [];
  if (st.closedDeferred) { st.closedDeferred.reject(e); PromisePrototypeThen(st.closedDeferred.promise, undefined, () => {}); }
}

async function pullIfNeeded(st) {
  if (st.pulling || !st.started || st.state !== 'readable' || st.closeRequested) return;
  if (st.queue.length >= st.highWaterMark && st.readers.length === 0) return;
  if (!st.source.pull) return;
  st.pulling = true;
  try {
    await ReflectApply(st.source.pull, st.source.self, [st.controller]);
  } catch (e) {
    errorStream(st, e);
  }
  st.pulling = false;
  if (st.readers.length > 0) pullIfNeeded(st);
}

class ReadableStream {
  constructor(underlyingSource = undefined, strategy = {}) {
    const src = underlyingSource || {};
    const st = {
      state: 'readable', queue: [], readers: [], closeRequested: false, started: false, pulling: false, error: undefined,
      locked: false, closedDeferred: null, highWaterMark: strategy && strategy.highWaterMark !== undefined ? NumberCtor(strategy.highWaterMark) : 1,
      source: { pull: src.pull, cancel: src.cancel, self: src },
    };
    WeakMapPrototypeSet(streamState, this, st);
    st.controller = new ReadableStreamDefaultController(st);
    let startResult;
    if (typeof src.start === 'function') startResult = ReflectApply(src.start, src, [st.controller]);
    PromisePrototypeThen(PromiseResolve(startResult), () => { st.started = true; pullIfNeeded(st); }, (e) => errorStream(st, e));
  }
  static from(iterable) {
    const it = iterable[SymbolAsyncIterator] ? iterable[SymbolAsyncIterator]() : iterable[SymbolIterator]();
    return new ReadableStream({
      async pull(c) { const r = await it.next(); if (r.done) c.close(); else c.enqueue(r.value); },
      async cancel(reason) { if (it.return) await it.return(reason); },
    }, { highWaterMark: 0 });
  }
  get locked() { return rsState(this).locked; }
  cancel(reason = undefined) {
    const st = rsState(this);
    if (st.locked) return PromiseReject(new TypeErrorCtor('Cannot cancel a locked ReadableStream'));
    return cancelStream(st, reason);
  }
  getReader(options = undefined) {
    if (options && options.mode === 'byob') throw new TypeErrorCtor('BYOB readers are not supported');
    return new ReadableStreamDefaultReader(this);
  }
  async pipeTo(dest, options = {}) {
    const reader = this.getReader();
    const writer = dest.getWriter();
    try {
      for (;;) {
        if (options.signal && options.signal.aborted) throw options.signal.reason;
        const { value, done } = await reader.read();
        if (done) break;
        await writer.write(value);
      }
      if (!options.preventClose) await writer.close();
    } catch (e) {
      if (!options.preventCancel) await reader.cancel(e).catch(() => {});
      if (!options.preventAbort) await writer.abort(e).catch(() => {});
      throw e;
    } finally {
      reader.releaseLock();
      writer.releaseLock();
    }
  }
  pipeThrough(transform, options = {}) {
    const p = this.pipeTo(transform.writable, options);
    PromisePrototypeThen(p, undefined, () => {});
    return transform.readable;
  }
  tee() {
    const reader = this.getReader();
    const controllers = [];
    let canceled = 0;
    let reading = false;
    const pull = async () => {
      if (reading) return;
      reading = true;
      try {
        const { value, done } = await reader.read();
        for (const c of controllers) {
          try { if (done) c.close(); else c.enqueue(value); } catch { /* branch canceled */ }
        }
      } catch (e) {
        for (const c of controllers) c.error(e);
      }
      reading = false;
    };
    const branch = () => new ReadableStream({
      start(c) { ArrayPrototypePush(controllers, c); },
      pull,
      cancel() { if (++canceled === 2) return reader.cancel(); },
    });
    return [branch(), branch()];
  }
  values(options = {}) { return readableIterator(this, !!options.preventCancel); }
  [SymbolAsyncIterator](options = {}) { return readableIterator(this, !!(options && options.preventCancel)); }
}
tagClass(ReadableStream, 'ReadableStream');

async function cancelStream(st, reason) {
  if (st.state === 'closed') return;
  if (st.state === 'errored') throw st.error;
  st.queue = [];
  finishClose(st);
  if (typeof st.source.cancel === 'function') await ReflectApply(st.source.cancel, st.source.self, [reason]);
}

function readableIterator(stream, preventCancel) {
  const reader = stream.getReader();
  return {
    async next() {
      const r = await reader.read();
      if (r.done) reader.releaseLock();
      return r;
    },
    async return(value) {
      if (!preventCancel) await reader.cancel(value);
      reader.releaseLock();
      return { value, done: true };
    },
    [SymbolAsyncIterator]() { return this; },
  };
}

class ReadableStreamDefaultReader {
  #st;
  constructor(stream) {
    const st = rsState(stream);
    if (st.locked) throw new TypeErrorCtor('ReadableStream is locked');
    st.locked = true;
    this.#st = st;
    if (!st.closedDeferred) {
      st.closedDeferred = deferred();
      if (st.state === 'closed') st.closedDeferred.resolve(undefined);
      if (st.state === 'errored') { st.closedDeferred.reject(st.error); PromisePrototypeThen(st.closedDeferred.promise, undefined, () => {}); }
    }
  }
  get closed() { return this.#st ? this.#st.closedDeferred.promise : PromiseReject(new TypeErrorCtor('The reader was released')); }
  read() {
    const st = this.#st;
    if (!st) return PromiseReject(new TypeErrorCtor('The reader was released'));
    if (st.queue.length > 0) {
      const value = ArrayPrototypeShift(st.queue);
      if (st.closeRequested && st.queue.length === 0) finishClose(st);
      else pullIfNeeded(st);
      return PromiseResolve({ value, done: false });
    }
    if (st.state === 'closed') return PromiseResolve({ value: undefined, done: true });
    if (st.state === 'errored') return PromiseReject(st.error);
    const d = deferred();
    ArrayPrototypePush(st.readers, d);
    pullIfNeeded(st);
    return d.promise;
  }
  cancel(reason = undefined) {
    if (!this.#st) return PromiseReject(new TypeErrorCtor('The reader was released'));
    return cancelStream(this.#st, reason);
  }
  releaseLock() {
    const st = this.#st;
    if (!st) return;
    st.locked = false;
    for (const r of st.readers) r.reject(new TypeErrorCtor('The reader was released'));
    st.readers = [];
    st.closedDeferred = null;
    this.#st = null;
  }
}
tagClass(ReadableStreamDefaultReader, 'ReadableStreamDefaultReader');

class WritableStreamDefaultWriter {
  #ws;
  constructor(ws) { this.#ws = ws; }
  get desiredSize() { return 1; }
  get ready() { return PromiseResolve(); }
  get closed() { return this.#ws[wsClosed].promise; }
  write(chunk) { return this.#ws[wsWrite](chunk); }
  close() { return this.#ws[wsClose](); }
  abort(reason) { return this.#ws[wsAbort](reason); }
  releaseLock() { this.#ws[wsLocked] = false; }
}
const wsWrite = SymbolCtor('write'), wsClose = SymbolCtor('close'), wsAbort = SymbolCtor('abort'), wsLocked = SymbolCtor('locked'), wsClosed = SymbolCtor('closed');
class WritableStream {
  constructor(sink = {}) {
    let chain = PromiseResolve(sink.start ? ReflectApply(sink.start, sink, [{ error: () => {} }]) : undefined);
    this[wsLocked] = false;
    this[wsClosed] = deferred();
    PromisePrototypeThen(this[wsClosed].promise, undefined, () => {});
    const enqueue = (fn) => { chain = PromisePrototypeThen(chain, fn); return chain; };
    this[wsWrite] = (chunk) => enqueue(() => sink.write && ReflectApply(sink.write, sink, [chunk, { error: () => {} }]));
    this[wsClose] = () => enqueue(async () => { if (sink.close) await ReflectApply(sink.close, sink, []); this[wsClosed].resolve(); });
    this[wsAbort] = async (reason) => { if (sink.abort) await ReflectApply(sink.abort, sink, [reason]); this[wsClosed].reject(reason); };
  }
  get locked() { return this[wsLocked]; }
  getWriter() {
    if (this[wsLocked]) throw new TypeErrorCtor('WritableStream is locked');
    this[wsLocked] = true;
    return new WritableStreamDefaultWriter(this);
  }
  close() { return this[wsClose](); }
  abort(reason) { return this[wsAbort](reason); }
}
tagClass(WritableStream, 'WritableStream');

class TransformStream {
  constructor(transformer = {}) {
    let controller;
    this.readable = new ReadableStream({ start(c) { controller = c; } }, { highWaterMark: 1 });
    const tc = {
      enqueue: (chunk) => controller.enqueue(chunk),
      error: (e) => controller.error(e),
      terminate: () => controller.close(),
      get desiredSize() { return controller.desiredSize; },
    };
    if (transformer.start) ReflectApply(transformer.start, transformer, [tc]);
    this.writable = new WritableStream({
      write: (chunk) => (transformer.transform ? ReflectApply(transformer.transform, transformer, [chunk, tc]) : tc.enqueue(chunk)),
      close: async () => { if (transformer.flush) await ReflectApply(transformer.flush, transformer, [tc]); controller.close(); },
      abort: (reason) => controller.error(reason),
    });
  }
}
tagClass(TransformStream, 'TransformStream');

class ByteLengthQueuingStrategy { constructor({ highWaterMark }) { this.highWaterMark = highWaterMark; } size(chunk) { return chunk.byteLength; } }
class CountQueuingStrategy { constructor({ highWaterMark }) { this.highWaterMark = highWaterMark; } size() { return 1; } }

class TextEncoderStream extends TransformStream {
  constructor() { const enc = new TextEncoder(); super({ transform(chunk, c) { c.enqueue(enc.encode(chunk)); } }); }
  get encoding() { return 'utf-8'; }
}
class TextDecoderStream extends TransformStream {
  constructor(label = 'utf-8', options = {}) {
    const dec = new TextDecoder(label, options);
    super({
      transform(chunk, c) { const s = dec.decode(chunk, { stream: true }); if (s) c.enqueue(s); },
      flush(c) { const s = dec.decode(); if (s) c.enqueue(s); },
    });
  }
}
