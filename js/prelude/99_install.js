// Installs the public globals and the private internals the built-in modules use.

defineGlobals({
  console: consoleObject,
  setTimeout, setInterval, clearTimeout, clearInterval, queueMicrotask,
});
ObjectDefineProperty(globalObject, 'self', { get() { return globalObject; }, set(v) { ObjectDefineProperty(globalObject, 'self', { value: v, writable: true, configurable: true }); }, configurable: true, enumerable: true });

hooks.internals = ObjectFreeze({
  inspect, formatError, consolePrint, setTimeout, clearTimeout, now: native.now, print: native.print,
  exit: native.exit, URL: () => globalObject.URL,
});
