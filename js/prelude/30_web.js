// Web platform basics: DOMException, Event/EventTarget, AbortController/AbortSignal, TextEncoder,
// TextDecoder, atob/btoa, structuredClone, performance, crypto.

const DOMEXCEPTION_CODES = {
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
  NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11,
  SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
  TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
  QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
};

class DOMException extends ErrorCtor {
  #name;
  #code;
  constructor(message = '', name = 'Error') {
    super(`${message}`);
    this.#name = `${name}`;
    this.#code = DOMEXCEPTION_CODES[this.#name] || 0;
  }
  get name() { return this.#name; }
  get code() { return this.#code; }
}
tagClass(DOMException, 'DOMException');

// ---- events ----

class Event {
  #type; #bubbles; #cancelable; #defaultPrevented = false; #timeStamp;
  constructor(type, init = {}) {
    if (arguments.length === 0) throw new TypeErrorCtor("Failed to construct 'Event': 1 argument required, but only 0 present.");
    this.#type = `${type}`;
    this.#bubbles = !!(init && init.bubbles);
    this.#cancelable = !!(init && init.cancelable);
    this.#timeStamp = native.now();
    this.target = null;
    this.currentTarget = null;
  }
  get type() { return this.#type; }
  get bubbles() { return this.#bubbles; }
  get cancelable() { return this.#cancelable; }
  get defaultPrevented() { return this.#defaultPrevented; }
  get timeStamp() { return this.#timeStamp; }
  preventDefault() { if (this.#cancelable) this.#defaultPrevented = true; }
  stopPropagation() {}
  stopImmediatePropagation() { this._stopped = true; }
}
tagClass(Event, 'Event');

class CustomEvent extends Event {
  #detail;
  constructor(type, init = {}) { super(type, init); this.#detail = init && init.detail !== undefined ? init.detail : null; }
  get detail() { return this.#detail; }
}
class ErrorEvent extends Event {
  constructor(type, init = {}) {
    super(type, init);
    this.message = init.message || ''; this.filename = init.filename || ''; this.lineno = init.lineno || 0;
    this.colno = init.colno || 0; this.error = init.error;
  }
}
class CloseEvent extends Event {
  constructor(type, init = {}) { super(type, init); this.wasClean = !!init.wasClean; this.code = init.code || 0; this.reason = init.reason || ''; }
}
class MessageEvent extends Event {
  constructor(type, init = {}) { super(type, init); this.data = init.data; this.origin = init.origin || ''; this.lastEventId = init.lastEventId || ''; this.source = null; this.ports = []; }
}
class ProgressEvent extends Event {
  constructor(type, init = {}) { super(type, init); this.lengthComputable = !!init.lengthComputable; this.loaded = init.loaded || 0; this.total = init.total || 0; }
}
class PromiseRejectionEvent extends Event {
  constructor(type, init = {}) { super(type, init); this.promise = init.promise; this.reason = init.reason; }
}

const listenersOf = new WeakMapCtor();
class EventTarget {
  constructor() { WeakMapPrototypeSet(listenersOf, this, new MapCtor()); }
  addEventListener(type, listener, options) {
    if (listener === null || listener === undefined) return;
    const map = WeakMapPrototypeGet(listenersOf, this) || (WeakMapPrototypeSet(listenersOf, this, new MapCtor()), WeakMapPrototypeGet(listenersOf, this));
    type = `${type}`;
    let list = MapPrototypeGet(map, type);
    if (!list) { list = []; MapPrototypeSet(map, type, list); }
    const once = typeof options === 'object' && options !== null && !!options.once;
    for (const l of list) if (l.listener === listener) return;
    const entry = { listener, once };
    ArrayPrototypePush(list, entry);
    if (typeof options === 'object' && options !== null && options.signal) {
      const signal = options.signal;
      if (signal.aborted) { this.removeEventListener(type, listener); return; }
      signal.addEventListener('abort', () => this.removeEventListener(type, listener));
    }
  }
  removeEventListener(type, listener) {
    const map = WeakMapPrototypeGet(listenersOf, this);
    const list = map && MapPrototypeGet(map, `${type}`);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      if (list[i].listener === listener) { list[i].removed = true; list.splice(i, 1); return; }
    }
  }
  dispatchEvent(event) {
    if (!(event instanceof Event)) throw new TypeErrorCtor("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    event.target = this;
    event.currentTarget = this;
    const map = WeakMapPrototypeGet(listenersOf, this);
    const list = map && MapPrototypeGet(map, event.type);
    const handler = this[`on${event.type}`];
    const all = list ? ArrayPrototypeSlice(list) : [];
    if (typeof handler === 'function') ArrayPrototypePush(all, { listener: handler, once: false, property: true });
    for (const entry of all) {
      if (entry.removed) continue;
      if (entry.once) this.removeEventListener(event.type, entry.listener);
      try {
        const l = entry.listener;
        if (typeof l === 'function') ReflectApply(l, this, [event]);
        else if (l && typeof l.handleEvent === 'function') l.handleEvent(event);
      } catch (err) {
        reportError(err);
      }
      if (event._stopped) break;
    }
    event.currentTarget = null;
    return !event.defaultPrevented;
  }
}
tagClass(EventTarget, 'EventTarget');

// reportError: an error thrown by a listener is uncaught (ends the module, as in Deno).
function reportError(err) {
  queueMicrotask(() => { throw err; });
}

// ---- AbortController / AbortSignal ----

const abortInternals = new WeakMapCtor();
let creatingSignal = false;
class AbortSignal extends EventTarget {
  constructor() {
    if (!creatingSignal) throw new TypeErrorCtor('Illegal constructor');
    super();
    WeakMapPrototypeSet(abortInternals, this, { aborted: false, reason: undefined, algorithms: [] });
    this.onabort = null;
  }
  get aborted() { return WeakMapPrototypeGet(abortInternals, this).aborted; }
  get reason() { return WeakMapPrototypeGet(abortInternals, this).reason; }
  throwIfAborted() { if (this.aborted) throw this.reason; }
  static abort(reason) {
    const s = newSignal();
    signalAbort(s, reason === undefined ? new DOMException('The signal has been aborted', 'AbortError') : reason);
    return s;
  }
  static timeout(ms) {
    ms = NumberCtor(ms);
    if (!(ms >= 0)) throw new TypeErrorCtor(`Argument 1 is not a non-negative number`);
    const s = newSignal();
    // As in Deno, this timer does not keep the module alive.
    scheduleTimer(() => signalAbort(s, new DOMException('Signal timed out.', 'TimeoutError')), ms, [], false, false);
    return s;
  }
  static any(signals) {
    const s = newSignal();
    for (const other of signals) {
      if (other.aborted) { signalAbort(s, other.reason); return s; }
    }
    for (const other of signals) addAbortAlgorithm(other, () => signalAbort(s, other.reason));
    return s;
  }
}
tagClass(AbortSignal, 'AbortSignal');

function newSignal() {
  creatingSignal = true;
  try { return new AbortSignal(); } finally { creatingSignal = false; }
}
function addAbortAlgorithm(signal, fn) {
  const st = WeakMapPrototypeGet(abortInternals, signal);
  if (st) ArrayPrototypePush(st.algorithms, fn);
}
function signalAbort(signal, reason) {
  const st = WeakMapPrototypeGet(abortInternals, signal);
  if (!st || st.aborted) return;
  st.aborted = true;
  st.reason = reason === undefined ? new DOMException('The signal has been aborted', 'AbortError') : reason;
  const algorithms = st.algorithms;
  st.algorithms = [];
  for (const fn of algorithms) { try { fn(); } catch (err) { reportError(err); } }
  signal.dispatchEvent(new Event('abort'));
}

class AbortController {
  #signal = newSignal();
  get signal() { return this.#signal; }
  abort(reason) { signalAbort(this.#signal, reason); }
}
tagClass(AbortController, 'AbortController');

// ---- encoding ----

function utf8Encode(str) {
  str = `${str}`;
  const n = str.length;
  const out = new Uint8ArrayCtor(n * 3);
  let o = 0;
  for (let i = 0; i < n; i++) {
    let c = StringPrototypeCharCodeAt(str, i);
    if (c < 0x80) { out[o++] = c; continue; }
    if (c < 0x800) { out[o++] = 0xc0 | (c >> 6); out[o++] = 0x80 | (c & 63); continue; }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = StringPrototypeCharCodeAt(str, i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[o++] = 0xf0 | (c >> 18); out[o++] = 0x80 | ((c >> 12) & 63); out[o++] = 0x80 | ((c >> 6) & 63); out[o++] = 0x80 | (c & 63);
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate
    out[o++] = 0xe0 | (c >> 12); out[o++] = 0x80 | ((c >> 6) & 63); out[o++] = 0x80 | (c & 63);
  }
  return TypedArrayPrototypeSubarray(out, 0, o).slice();
}

// Decodes UTF-8 with U+FFFD for each maximal invalid subsequence (WHATWG). Returns [text, consumed]
// where consumed < bytes.length only when `stream` and the input ends inside a sequence.
function utf8Decode(bytes, fatal, stream) {
  let out = '';
  let chunk = [];
  const n = bytes.length;
  let i = 0;
  const flush = () => { out += StringFromCharCode(...chunk); chunk = []; };
  const bad = () => { if (fatal) throw new TypeErrorCtor('The encoded data was not valid for encoding utf-8'); ArrayPrototypePush(chunk, 0xfffd); };
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) { ArrayPrototypePush(chunk, b); i++; }
    else {
      let need, cp, lower = 0x80, upper = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) { need = 2; cp = b & 0xf; if (b === 0xe0) lower = 0xa0; if (b === 0xed) upper = 0x9f; }
      else if (b >= 0xf0 && b <= 0xf4) { need = 3; cp = b & 7; if (b === 0xf0) lower = 0x90; if (b === 0xf4) upper = 0x8f; }
      else { bad(); i++; continue; }
      let j = 1;
      for (; j <= need; j++) {
        if (i + j >= n) break;
        const c = bytes[i + j];
        if (c < lower || c > upper) break;
        lower = 0x80; upper = 0xbf;
        cp = (cp << 6) | (c & 0x3f);
      }
      if (j <= need) {
        if (i + j >= n && stream) { flush(); return [out, i]; }
        bad(); i += j; continue;
      }
      i += need + 1;
      if (cp >= 0x10000) { cp -= 0x10000; ArrayPrototypePush(chunk, 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)); }
      else ArrayPrototypePush(chunk, cp);
    }
    if (chunk.length >= 4096) flush();
  }
  flush();
  return [out, n];
}

class TextEncoder {
  get encoding() { return 'utf-8'; }
  encode(input = '') { return utf8Encode(input); }
  encodeInto(source, destination) {
    const bytes = utf8Encode(source);
    // Only whole characters are written.
    let written = MathMin(bytes.length, destination.length);
    while (written > 0 && written < bytes.length && (bytes[written] & 0xc0) === 0x80) written--;
    TypedArrayPrototypeSet(destination, TypedArrayPrototypeSubarray(bytes, 0, written));
    const read = utf8Decode(TypedArrayPrototypeSubarray(bytes, 0, written), false, false)[0].length;
    return { read, written };
  }
}
tagClass(TextEncoder, 'TextEncoder');

const UTF8_LABELS = ['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8'];
class TextDecoder {
  #fatal; #ignoreBOM; #pending = null; #bomSeen = false; #encoding;
  constructor(label = 'utf-8', options = {}) {
    const l = StringPrototypeToLowerCase(StringPrototypeTrim(`${label}`));
    if (ArrayPrototypeIncludes(UTF8_LABELS, l)) this.#encoding = 'utf-8';
    else if (l === 'utf-16le' || l === 'utf-16') this.#encoding = 'utf-16le';
    else if (l === 'latin1' || l === 'iso-8859-1' || l === 'ascii' || l === 'us-ascii' || l === 'windows-1252') this.#encoding = 'windows-1252';
    else throw new RangeErrorCtor(`The encoding label provided ('${label}') is invalid.`);
    this.#fatal = !!(options && options.fatal);
    this.#ignoreBOM = !!(options && options.ignoreBOM);
  }
  get encoding() { return this.#encoding; }
  get fatal() { return this.#fatal; }
  get ignoreBOM() { return this.#ignoreBOM; }
  decode(input = new Uint8ArrayCtor(0), options = {}) {
    const stream = !!(options && options.stream);
    let bytes = input === undefined ? new Uint8ArrayCtor(0) : bufferSourceBytes(input, 'The provided value');
    if (this.#pending) {
      const joined = new Uint8ArrayCtor(this.#pending.length + bytes.length);
      joined.set(this.#pending); joined.set(bytes, this.#pending.length);
      bytes = joined;
      this.#pending = null;
    }
    let text;
    if (this.#encoding === 'utf-8') {
      const [t, used] = utf8Decode(bytes, this.#fatal, stream);
      if (used < bytes.length) this.#pending = bytes.slice(used);
      text = t;
    } else if (this.#encoding === 'utf-16le') {
      const even = bytes.length & ~1;
      text = '';
      for (let i = 0; i < even; i += 2) text += StringFromCharCode(bytes[i] | (bytes[i + 1] << 8));
      if (even < bytes.length) { if (stream) this.#pending = bytes.slice(even); else text += '\ufffd'; }
    } else {
      text = '';
      for (let i = 0; i < bytes.length; i++) text += StringFromCharCode(bytes[i]);
    }
    if (!this.#ignoreBOM && !this.#bomSeen && text.length > 0) {
      if (StringPrototypeCharCodeAt(text, 0) === 0xfeff) text = StringPrototypeSlice(text, 1);
      this.#bomSeen = true;
    }
    if (!stream) this.#bomSeen = false;
    return text;
  }
}
tagClass(TextDecoder, 'TextDecoder');

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function btoa(data) {
  if (arguments.length === 0) throw new TypeErrorCtor("Failed to execute 'btoa': 1 argument required, but only 0 present.");
  data = `${data}`;
  let out = '';
  for (let i = 0; i < data.length; i++) {
    if (StringPrototypeCharCodeAt(data, i) > 255) throw new DOMException('The string to be encoded contains characters outside of the Latin1 range.', 'InvalidCharacterError');
  }
  for (let i = 0; i < data.length; i += 3) {
    const a = StringPrototypeCharCodeAt(data, i), b = StringPrototypeCharCodeAt(data, i + 1), c = StringPrototypeCharCodeAt(data, i + 2);
    const n = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < data.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < data.length ? B64[n & 63] : '=');
  }
  return out;
}
function atob(data) {
  if (arguments.length === 0) throw new TypeErrorCtor("Failed to execute 'atob': 1 argument required, but only 0 present.");
  data = StringPrototypeReplace(`${data}`, /[\t\n\f\r ]/g, '');
  if (data.length % 4 === 0) data = StringPrototypeReplace(data, /==?$/, '');
  if (data.length % 4 === 1 || RegExpPrototypeTest(/[^A-Za-z0-9+/]/, data)) {
    throw new DOMException('Failed to decode base64: invalid character', 'InvalidCharacterError');
  }
  let out = '';
  let buffer = 0, bits = 0;
  for (let i = 0; i < data.length; i++) {
    buffer = (buffer << 6) | StringPrototypeIndexOf(B64, data[i]);
    bits += 6;
    if (bits >= 8) { bits -= 8; out += StringFromCharCode((buffer >> bits) & 0xff); }
  }
  return out;
}

// ---- structuredClone ----

function structuredClone(value, options) {
  const memory = new MapCtor();
  const clone = (v) => {
    if (typeof v === 'function' || typeof v === 'symbol') {
      throw new DOMException(`${typeof v === 'function' ? functionName(v) : symbolToString(v)} could not be cloned.`, 'DataCloneError');
    }
    if (typeof v !== 'object' || v === null) return v;
    if (MapPrototypeHas(memory, v)) return MapPrototypeGet(memory, v);
    const tag = ObjectPrototypeToString(v);
    let out;
    if (tag === '[object Date]') out = new Date(v.getTime());
    else if (tag === '[object RegExp]') out = new RegExp(v.source, v.flags);
    else if (tag === '[object ArrayBuffer]') out = ArrayBufferPrototypeSlice(v, 0);
    else if (tag === '[object Boolean]' || tag === '[object Number]' || tag === '[object String]' || tag === '[object BigInt]') out = Object(v.valueOf());
    else if (ArrayBufferIsView(v)) {
      const buf = clone(v.buffer);
      out = tag === '[object DataView]' ? new DataViewCtor(buf, v.byteOffset, v.byteLength) : new v.constructor(buf, v.byteOffset, v.length);
    } else if (v instanceof MapCtor) {
      out = new MapCtor(); MapPrototypeSet(memory, v, out);
      for (const [k, x] of v) out.set(clone(k), clone(x));
      return out;
    } else if (v instanceof SetCtor) {
      out = new SetCtor(); MapPrototypeSet(memory, v, out);
      for (const x of v) out.add(clone(x));
      return out;
    } else if (v instanceof ErrorCtor) {
      const Ctor = { EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError }[v.name] || ErrorCtor;
      out = new Ctor(v.message);
      MapPrototypeSet(memory, v, out);
      if (v.stack !== undefined) ObjectDefineProperty(out, 'stack', { value: v.stack, writable: true, configurable: true });
      if ('cause' in v) out.cause = clone(v.cause);
      return out;
    } else if (ArrayIsArray(v)) {
      out = new Array(v.length); MapPrototypeSet(memory, v, out);
      for (const k of ObjectKeys(v)) out[k] = clone(v[k]);
      return out;
    } else if (tag === '[object Object]' || tag === '[object Arguments]') {
      out = {}; MapPrototypeSet(memory, v, out);
      for (const k of ObjectKeys(v)) out[k] = clone(v[k]);
      return out;
    } else {
      throw new DOMException(`${tag.slice(8, -1)} object could not be cloned.`, 'DataCloneError');
    }
    MapPrototypeSet(memory, v, out);
    return out;
  };
  if (arguments.length === 0) throw new TypeErrorCtor("Failed to execute 'structuredClone': 1 argument required, but only 0 present.");
  return clone(value);
}

// ---- performance ----

const timeOrigin = Date.now() - native.now();
const perfEntries = [];
class PerformanceEntry {
  constructor(name, entryType, startTime, duration, detail) {
    this.name = name; this.entryType = entryType; this.startTime = startTime; this.duration = duration; this.detail = detail ?? null;
  }
  toJSON() { return { name: this.name, entryType: this.entryType, startTime: this.startTime, duration: this.duration, detail: this.detail }; }
}
class PerformanceMark extends PerformanceEntry {}
class PerformanceMeasure extends PerformanceEntry {}
class Performance extends EventTarget {
  get timeOrigin() { return timeOrigin; }
  now() { return native.now(); }
  mark(name, options = {}) {
    const e = new PerformanceMark(`${name}`, 'mark', options.startTime ?? native.now(), 0, options.detail);
    ArrayPrototypePush(perfEntries, e);
    return e;
  }
  measure(name, start, end) {
    const find = (n) => { for (let i = perfEntries.length - 1; i >= 0; i--) if (perfEntries[i].name === n) return perfEntries[i].startTime; throw new DOMException(`The mark '${n}' does not exist.`, 'SyntaxError'); };
    const s = start === undefined ? 0 : typeof start === 'string' ? find(start) : (start.start !== undefined ? (typeof start.start === 'string' ? find(start.start) : start.start) : 0);
    const en = end === undefined ? (typeof start === 'object' && start && start.end !== undefined ? (typeof start.end === 'string' ? find(start.end) : start.end) : native.now()) : typeof end === 'string' ? find(end) : end;
    const e = new PerformanceMeasure(`${name}`, 'measure', s, en - s, typeof start === 'object' && start ? start.detail : null);
    ArrayPrototypePush(perfEntries, e);
    return e;
  }
  getEntries() { return ArrayPrototypeSlice(perfEntries); }
  getEntriesByName(name, type) { return perfEntries.filter((e) => e.name === name && (type === undefined || e.entryType === type)); }
  getEntriesByType(type) { return perfEntries.filter((e) => e.entryType === type); }
  clearMarks(name) { for (let i = perfEntries.length - 1; i >= 0; i--) if (perfEntries[i].entryType === 'mark' && (name === undefined || perfEntries[i].name === name)) perfEntries.splice(i, 1); }
  clearMeasures(name) { for (let i = perfEntries.length - 1; i >= 0; i--) if (perfEntries[i].entryType === 'measure' && (name === undefined || perfEntries[i].name === name)) perfEntries.splice(i, 1); }
  toJSON() { return { timeOrigin }; }
}
tagClass(Performance, 'Performance');
const performance = new Performance();

// ---- crypto ----

const DIGESTS = { 'SHA-1': 1, 'SHA-256': 256, 'SHA-384': 384, 'SHA-512': 512 };
class SubtleCrypto {
  digest(algorithm, data) {
    try {
      const name = StringPrototypeToUpperCase(`${typeof algorithm === 'object' && algorithm !== null ? algorithm.name : algorithm}`);
      const alg = DIGESTS[name];
      if (alg === undefined) throw new DOMException('Unrecognized algorithm name', 'NotSupportedError');
      const bytes = bufferSourceBytes(data, "Failed to execute 'digest' on 'SubtleCrypto': 2nd argument");
      return PromiseResolve(native.digest(alg, bytes));
    } catch (err) {
      return PromiseReject(err);
    }
  }
}
tagClass(SubtleCrypto, 'SubtleCrypto');
for (const m of ['encrypt', 'decrypt', 'sign', 'verify', 'generateKey', 'deriveKey', 'deriveBits', 'importKey', 'exportKey', 'wrapKey', 'unwrapKey']) {
  SubtleCrypto.prototype[m] = function () { return PromiseReject(new DOMException(`crypto.subtle.${m} is not supported by this runtime (only digest is)`, 'NotSupportedError')); };
}
class CryptoKey { constructor() { throw new TypeErrorCtor('Illegal constructor'); } }
const subtle = new SubtleCrypto();
class Crypto {
  get subtle() { return subtle; }
  getRandomValues(array) {
    if (!isTypedArray(array) || array instanceof Float32Array || array instanceof Float64Array) {
      throw new DOMException("Failed to execute 'getRandomValues' on 'Crypto': The provided ArrayBufferView is of type which is not an integer array type.", 'TypeMismatchError');
    }
    if (array.byteLength > 65536) {
      throw new DOMException(`Failed to execute 'getRandomValues' on 'Crypto': The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536).`, 'QuotaExceededError');
    }
    native.random(new Uint8ArrayCtor(array.buffer, array.byteOffset, array.byteLength));
    return array;
  }
  randomUUID() {
    const b = new Uint8ArrayCtor(16);
    native.random(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = '';
    for (let i = 0; i < 16; i++) {
      hex += StringPrototypePadStart(b[i].toString(16), 2, '0');
      if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
    }
    return hex;
  }
}
tagClass(Crypto, 'Crypto');
const crypto = new Crypto();
