// Installs the public globals and the private internals the built-in modules use.

defineGlobals({
  console: consoleObject,
  setTimeout, setInterval, clearTimeout, clearInterval, queueMicrotask, reportError, structuredClone,
  DOMException, Event, EventTarget, CustomEvent, ErrorEvent, CloseEvent, MessageEvent, ProgressEvent, PromiseRejectionEvent,
  AbortController, AbortSignal, TextEncoder, TextDecoder, TextEncoderStream, TextDecoderStream, atob, btoa,
  URL, URLSearchParams, ReadableStream, ReadableStreamDefaultReader, ReadableStreamDefaultController,
  WritableStream, WritableStreamDefaultWriter, TransformStream, ByteLengthQueuingStrategy, CountQueuingStrategy,
  Headers, Request, Response, fetch,
  Performance, PerformanceEntry, PerformanceMark, PerformanceMeasure, performance,
  Crypto, SubtleCrypto, CryptoKey, crypto,
});
ObjectDefineProperty(globalObject, 'Zinnia', { value: Zinnia, writable: false, enumerable: false, configurable: false });
ObjectDefineProperty(globalObject, 'Station', { value: Station, writable: false, enumerable: false, configurable: false });
ObjectDefineProperty(globalObject, 'self', {
  get() { return globalObject; },
  set(v) { ObjectDefineProperty(globalObject, 'self', { value: v, writable: true, configurable: true }); },
  configurable: true, enumerable: true,
});
ObjectDefineProperty(globalObject, 'window', { get() { return globalObject; }, configurable: true, enumerable: true });

hooks.internals = ObjectFreeze({
  inspect, formatError, consolePrint, setTimeout, clearTimeout, now: native.now, print: native.print,
  URL, Promise: PromiseCtor,
});
