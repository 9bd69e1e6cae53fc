// Private references captured before any module code runs, so a module that overwrites
// globalThis.fetch, Promise.prototype.then, Array.prototype.push, ... cannot break the runtime's
// own bookkeeping. The prelude is one function (see scripts/build-js-engine): everything declared
// here is visible to the later files and to nothing else.

const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const ObjectDefineProperty = Object.defineProperty;
const ObjectDefineProperties = Object.defineProperties;
const ObjectFreeze = Object.freeze;
const ObjectCreate = Object.create;
const ObjectKeys = Object.keys;
const ObjectEntries = Object.entries;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectSetPrototypeOf = Object.setPrototypeOf;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ObjectIs = Object.is;
const ArrayIsArray = Array.isArray;
const ArrayFrom = Array.from;
const PromiseCtor = Promise;
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseReject = Promise.reject.bind(Promise);
const SymbolCtor = Symbol;
const SymbolAsyncIterator = Symbol.asyncIterator;
const SymbolIterator = Symbol.iterator;
const SymbolToStringTag = Symbol.toStringTag;
const MapCtor = Map;
const SetCtor = Set;
const WeakMapCtor = WeakMap;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const StringCtor = String;
const NumberCtor = Number;
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;
const MathFloor = Math.floor;
const MathMin = Math.min;
const MathMax = Math.max;
const Uint8ArrayCtor = Uint8Array;
const ArrayBufferCtor = ArrayBuffer;
const DataViewCtor = DataView;
const TypedArrayProto = ObjectGetPrototypeOf(Uint8Array.prototype);
const ArrayBufferIsView = ArrayBuffer.isView;
const StringFromCharCode = String.fromCharCode;
const NumberIsFinite = Number.isFinite;
const NumberIsInteger = Number.isInteger;
const globalObject = globalThis;

// Method calls that ignore later changes to the prototypes: uncurry(fn)(self, ...args).
const uncurry = (fn) => (self, ...args) => ReflectApply(fn, self, args);
const ObjectPrototypeToString = uncurry(Object.prototype.toString);
const ArrayPrototypePush = uncurry(Array.prototype.push);
const ArrayPrototypeJoin = uncurry(Array.prototype.join);
const ArrayPrototypeSlice = uncurry(Array.prototype.slice);
const ArrayPrototypeMap = uncurry(Array.prototype.map);
const ArrayPrototypeShift = uncurry(Array.prototype.shift);
const ArrayPrototypePop = uncurry(Array.prototype.pop);
const ArrayPrototypeIncludes = uncurry(Array.prototype.includes);
const StringPrototypeSlice = uncurry(String.prototype.slice);
const StringPrototypeIndexOf = uncurry(String.prototype.indexOf);
const StringPrototypeToLowerCase = uncurry(String.prototype.toLowerCase);
const StringPrototypeToUpperCase = uncurry(String.prototype.toUpperCase);
const StringPrototypeTrim = uncurry(String.prototype.trim);
const StringPrototypeSplit = uncurry(String.prototype.split);
const StringPrototypeReplace = uncurry(String.prototype.replace);
const StringPrototypeCharCodeAt = uncurry(String.prototype.charCodeAt);
const StringPrototypeStartsWith = uncurry(String.prototype.startsWith);
const StringPrototypeEndsWith = uncurry(String.prototype.endsWith);
const StringPrototypeIncludes = uncurry(String.prototype.includes);
const StringPrototypeRepeat = uncurry(String.prototype.repeat);
const StringPrototypePadStart = uncurry(String.prototype.padStart);
const RegExpPrototypeTest = uncurry(RegExp.prototype.test);
const RegExpPrototypeExec = uncurry(RegExp.prototype.exec);
const MapPrototypeGet = uncurry(Map.prototype.get);
const MapPrototypeSet = uncurry(Map.prototype.set);
const MapPrototypeHas = uncurry(Map.prototype.has);
const MapPrototypeDelete = uncurry(Map.prototype.delete);
const SetPrototypeAdd = uncurry(Set.prototype.add);
const SetPrototypeHas = uncurry(Set.prototype.has);
const SetPrototypeDelete = uncurry(Set.prototype.delete);
const WeakMapPrototypeGet = uncurry(WeakMap.prototype.get);
const WeakMapPrototypeSet = uncurry(WeakMap.prototype.set);
const WeakMapPrototypeHas = uncurry(WeakMap.prototype.has);
const PromisePrototypeThen = uncurry(Promise.prototype.then);
const FunctionPrototypeToString = uncurry(Function.prototype.toString);
const TypedArrayPrototypeSubarray = uncurry(Uint8Array.prototype.subarray);
const TypedArrayPrototypeSet = uncurry(Uint8Array.prototype.set);
const TypedArrayPrototypeGetLength = uncurry(ObjectGetOwnPropertyDescriptor(TypedArrayProto, 'length').get);
const TypedArrayPrototypeGetSymbolToStringTag = uncurry(ObjectGetOwnPropertyDescriptor(TypedArrayProto, SymbolToStringTag).get);
const ArrayBufferPrototypeGetByteLength = uncurry(ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get);
const ArrayBufferPrototypeSlice = uncurry(ArrayBuffer.prototype.slice);

// A promise with its resolvers, made with the original constructor.
function deferred() {
  let resolve, reject;
  const promise = new PromiseCtor((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

// Defines non-enumerable, writable, configurable globals (as Web IDL does).
function defineGlobals(entries) {
  for (const key of ObjectKeys(entries)) {
    ObjectDefineProperty(globalObject, key, { value: entries[key], writable: true, enumerable: false, configurable: true });
  }
}

// Makes a class's prototype methods non-enumerable-friendly and tags it for inspect/toString.
function tagClass(cls, name) {
  ObjectDefineProperty(cls.prototype, SymbolToStringTag, { value: name, configurable: true });
}

function isTypedArray(v) {
  return ArrayBufferIsView(v) && TypedArrayPrototypeGetSymbolToStringTag(v) !== undefined;
}

// Any BufferSource (ArrayBuffer, TypedArray, DataView) as a Uint8Array view (no copy).
function bufferSourceBytes(v, what) {
  if (v instanceof ArrayBufferCtor) return new Uint8ArrayCtor(v);
  if (ArrayBufferIsView(v)) return new Uint8ArrayCtor(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeErrorCtor(`${what || 'Argument'} is not an ArrayBuffer or an ArrayBufferView`);
}

// Station ABI error codes (docs/abi.md).
const E = {
  INVALID_ARGUMENT: -1, FAULT: -2, BAD_HANDLE: -3, WOULD_BLOCK: -4, QUOTA_EXCEEDED: -5, DENIED: -6,
  LIMIT_REACHED: -7, NOT_FOUND: -8, TIMED_OUT: -9, IO: -10, TOO_LARGE: -11, CANCELLED: -12,
  UNSUPPORTED: -13, BUFFER_TOO_SMALL: -14,
};
const ERROR_NAMES = {
  '-1': 'invalid-argument', '-2': 'fault', '-3': 'bad-handle', '-4': 'would-block', '-5': 'quota-exceeded',
  '-6': 'denied', '-7': 'limit-reached', '-8': 'not-found', '-9': 'timed-out', '-10': 'io', '-11': 'too-large',
  '-12': 'cancelled', '-13': 'unsupported', '-14': 'buffer-too-small',
};

// The host's message for the last failed call, prefixed with the code's name.
function stationMessage(code) {
  const message = native.lastError();
  const name = ERROR_NAMES[code] || `error ${code}`;
  return typeof message === 'string' && message !== '' ? message : name;
}

// An Error for a failed station call; `code` is also set (e.g. 'denied').
function stationError(code, Ctor = ErrorCtor, prefix = '') {
  const err = new Ctor(prefix + stationMessage(code));
  err.code = ERROR_NAMES[code] || `error ${code}`;
  return err;
}

// Waits until a station handle is ready (one-shot; resolved by the C event loop).
function waitHandle(handle) {
  const d = deferred();
  native.wait(handle, d.resolve);
  return d.promise;
}
