// zinnia:assert — the assertion functions of @std/assert 0.226 that Zinnia exposed, written from
// their documented behaviour. Usable from production code as well as tests.
import internals from 'station:internal';

const { inspect } = internals;
const format = (v) => inspect(v, { depth: Infinity, sorted: true });

export class AssertionError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'AssertionError';
  }
}

function constructorsEqual(a, b) {
  return a.constructor === b.constructor || (a.constructor === Object && !b.constructor) || (!a.constructor && b.constructor === Object);
}

function isKeyedCollection(x) { return x instanceof Set || x instanceof Map; }

// Deep structural equality (as @std/assert's equal()).
export function equal(c, d) {
  const seen = new Map();
  return (function compare(a, b) {
    if (a && b && ((a instanceof RegExp && b instanceof RegExp) || (a instanceof internals.URL && b instanceof internals.URL))) {
      return String(a) === String(b);
    }
    if (a instanceof Date && b instanceof Date) {
      const at = a.getTime(), bt = b.getTime();
      if (Number.isNaN(at) && Number.isNaN(bt)) return true;
      return at === bt;
    }
    if (typeof a === 'number' && typeof b === 'number') return (Number.isNaN(a) && Number.isNaN(b)) || a === b;
    if (Object.is(a, b)) return true;
    if (a && typeof a === 'object' && b && typeof b === 'object') {
      if (!constructorsEqual(a, b)) return false;
      if (a instanceof WeakMap || b instanceof WeakMap) {
        if (!(a instanceof WeakMap && b instanceof WeakMap)) return false;
        throw new TypeError('cannot compare WeakMap instances');
      }
      if (a instanceof WeakSet || b instanceof WeakSet) {
        if (!(a instanceof WeakSet && b instanceof WeakSet)) return false;
        throw new TypeError('cannot compare WeakSet instances');
      }
      if (seen.get(a) === b) return true;
      if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
        if (a.byteLength !== b.byteLength) return false;
      }
      if (Object.keys(a).length !== Object.keys(b).length) return false;
      seen.set(a, b);
      if (isKeyedCollection(a) && isKeyedCollection(b)) {
        if (a.size !== b.size) return false;
        let unmatched = a.size;
        for (const [aKey, aValue] of a.entries()) {
          for (const [bKey, bValue] of b.entries()) {
            if ((aKey === aValue && bKey === bValue && compare(aKey, bKey)) || (compare(aKey, bKey) && compare(aValue, bValue))) {
              unmatched--;
              break;
            }
          }
        }
        return unmatched === 0;
      }
      const merged = { ...a, ...b };
      for (const key of [...Object.getOwnPropertyNames(merged), ...Object.getOwnPropertySymbols(merged)]) {
        if (!compare(a && a[key], b && b[key])) return false;
        if ((key in a && !(key in b)) || (key in b && !(key in a))) return false;
      }
      if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b) || Array.isArray(a)) {
        if (a.length !== b.length) return false;
        for (let i = 0; i < a.length; i++) if (!compare(a[i], b[i])) return false;
      }
      if (a instanceof WeakRef || b instanceof WeakRef) {
        if (!(a instanceof WeakRef && b instanceof WeakRef)) return false;
        return compare(a.deref(), b.deref());
      }
      return true;
    }
    return false;
  })(c, d);
}

const suffix = (msg) => (msg ? `: ${msg}` : '.');

function diffText(actual, expected) {
  return `\n\n    [Diff] Actual / Expected\n\n\n-   ${format(actual).split('\n').join('\n-   ')}\n+   ${format(expected).split('\n').join('\n+   ')}\n`;
}

export function assert(expr, msg = '') {
  if (!expr) throw new AssertionError(msg);
}

export function assertFalse(expr, msg = '') {
  if (expr) throw new AssertionError(msg);
}

export function assertEquals(actual, expected, msg) {
  if (equal(actual, expected)) return;
  throw new AssertionError(`Values are not equal${suffix(msg)}${diffText(actual, expected)}`);
}

export function assertNotEquals(actual, expected, msg) {
  if (!equal(actual, expected)) return;
  throw new AssertionError(`Expected actual: ${format(actual)} not to be: ${format(expected)}${suffix(msg)}`);
}

export function assertStrictEquals(actual, expected, msg) {
  if (Object.is(actual, expected)) return;
  const a = format(actual), e = format(expected);
  if (a === e) {
    throw new AssertionError(`Values have the same structure but are not reference-equal${suffix(msg)}\n\n    ${a.split('\n').join('\n    ')}\n`);
  }
  throw new AssertionError(`Values are not strictly equal${suffix(msg)}${diffText(actual, expected)}`);
}

export function assertNotStrictEquals(actual, expected, msg) {
  if (!Object.is(actual, expected)) return;
  throw new AssertionError(`Expected "actual" to not be strictly equal to: ${format(actual)}${suffix(msg)}\n`);
}

export function assertAlmostEquals(actual, expected, tolerance, msg) {
  if (Object.is(actual, expected)) return;
  const delta = Math.abs(expected - actual);
  if (tolerance === undefined) tolerance = Number.isFinite(expected) ? Math.abs(expected * 1e-7) : 1e-7;
  if (delta <= tolerance) return;
  const f = (n) => (Number.isInteger(n) ? n : n.toExponential());
  throw new AssertionError(`Expected actual: "${f(actual)}" to be close to "${f(expected)}": delta "${f(delta)}" is greater than "${f(tolerance)}"${suffix(msg)}`);
}

export function assertArrayIncludes(actual, expected, msg) {
  const missing = [];
  for (const e of expected) {
    let found = false;
    for (const a of actual) if (equal(e, a)) { found = true; break; }
    if (!found) missing.push(e);
  }
  if (missing.length === 0) return;
  throw new AssertionError(`Expected actual: "${format(actual)}" to include: "${format(expected)}"${suffix(msg)}\nmissing: ${format(missing)}`);
}

export function assertExists(actual, msg) {
  if (actual === undefined || actual === null) {
    throw new AssertionError(msg || `Expected actual: "${actual}" to not be null or undefined.`);
  }
}

export function assertGreater(actual, expected, msg) {
  if (actual > expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} > ${format(expected)}`);
}
export function assertGreaterOrEqual(actual, expected, msg) {
  if (actual >= expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} >= ${format(expected)}`);
}
export function assertLess(actual, expected, msg) {
  if (actual < expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} < ${format(expected)}`);
}
export function assertLessOrEqual(actual, expected, msg) {
  if (actual <= expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} <= ${format(expected)}`);
}

export function assertInstanceOf(actual, expectedType, msg = '') {
  if (actual instanceof expectedType) return;
  const expectedTypeStr = expectedType.name;
  let actualTypeStr = '';
  if (actual === null) actualTypeStr = 'null';
  else if (actual === undefined) actualTypeStr = 'undefined';
  else if (typeof actual === 'object') actualTypeStr = actual.constructor?.name ?? 'Object';
  else actualTypeStr = typeof actual;
  if (expectedTypeStr === actualTypeStr) msg = `Expected object to be an instance of "${expectedTypeStr}"${suffix(msg)}`;
  else if (actualTypeStr === 'function') msg = `Expected object to be an instance of "${expectedTypeStr}" but was not an instanced object${suffix(msg)}`;
  else msg = `Expected object to be an instance of "${expectedTypeStr}" but was "${actualTypeStr}"${suffix(msg)}`;
  throw new AssertionError(msg);
}

export function assertNotInstanceOf(actual, unexpectedType, msg) {
  assertFalse(actual instanceof unexpectedType, msg ?? `Expected object to not be an instance of "${typeof unexpectedType}"`);
}

export function assertIsError(error, ErrorClass, msgMatches, msg) {
  const s = suffix(msg);
  if (!(error instanceof Error)) throw new AssertionError(`Expected "error" to be an Error object${s}}`);
  if (ErrorClass && !(error instanceof ErrorClass)) {
    throw new AssertionError(`Expected error to be instance of "${ErrorClass.name}", but was "${error?.constructor?.name}"${s}`);
  }
  let matches;
  if (typeof msgMatches === 'string') matches = String(error.message).includes(msgMatches);
  if (msgMatches instanceof RegExp) matches = msgMatches.test(String(error.message));
  if (msgMatches && !matches) {
    throw new AssertionError(`Expected error message to include ${msgMatches instanceof RegExp ? msgMatches.toString() : JSON.stringify(msgMatches)}, but got ${JSON.stringify(error?.message)}${s}`);
  }
}

export function assertMatch(actual, expected, msg) {
  if (expected.test(actual)) return;
  throw new AssertionError(`Expected actual: "${actual}" to match: "${expected}"${suffix(msg)}`);
}
export function assertNotMatch(actual, expected, msg) {
  if (!expected.test(actual)) return;
  throw new AssertionError(`Expected actual: "${actual}" to not match: "${expected}"${suffix(msg)}`);
}

export function assertStringIncludes(actual, expected, msg) {
  if (actual.includes(expected)) return;
  throw new AssertionError(`Expected actual: "${actual}" to contain: "${expected}"${suffix(msg)}`);
}

export function assertObjectMatch(actual, expected, msg) {
  const seen = new WeakMap();
  function filter(a, b) {
    if (seen.has(a) && seen.get(a) === b) return a;
    seen.set(a, b);
    if (Array.isArray(b) && Array.isArray(a)) return b.map((x, i) => (x && typeof x === 'object' && a[i] && typeof a[i] === 'object' ? filter(a[i], x) : a[i]));
    const out = {};
    for (const key of [...Object.getOwnPropertyNames(a), ...Object.getOwnPropertySymbols(a)]) {
      if (!(key in b)) continue;
      const va = a[key], vb = b[key];
      if (va && vb && typeof va === 'object' && typeof vb === 'object' && !(va instanceof Map) && !(va instanceof Set) && !(va instanceof Date) && !(va instanceof RegExp)) {
        out[key] = filter(va, vb);
      } else {
        out[key] = va;
      }
    }
    return out;
  }
  assertEquals(filter(actual, expected), expected, msg);
}

export function assertThrows(fn, errorClassOrMsg, msgIncludesOrMsg, msg) {
  let ErrorClass, msgIncludes, err;
  if (typeof errorClassOrMsg !== 'string') {
    if (errorClassOrMsg === undefined || errorClassOrMsg.prototype instanceof Error || errorClassOrMsg.prototype === Error.prototype) {
      ErrorClass = errorClassOrMsg;
      msgIncludes = msgIncludesOrMsg;
    } else {
      msg = msgIncludesOrMsg;
    }
  } else {
    msg = errorClassOrMsg;
  }
  let doesThrow = false;
  const s = suffix(msg);
  try {
    fn();
  } catch (error) {
    if (ErrorClass) {
      if (!(error instanceof Error)) throw new AssertionError(`A non-Error object was thrown${s}`);
      assertIsError(error, ErrorClass, msgIncludes, msg);
    }
    err = error;
    doesThrow = true;
  }
  if (!doesThrow) throw new AssertionError(`Expected function to throw${s}`);
  return err;
}

export async function assertRejects(fn, errorClassOrMsg, msgIncludesOrMsg, msg) {
  let ErrorClass, msgIncludes, err;
  if (typeof errorClassOrMsg !== 'string') {
    if (errorClassOrMsg === undefined || errorClassOrMsg.prototype instanceof Error || errorClassOrMsg.prototype === Error.prototype) {
      ErrorClass = errorClassOrMsg;
      msgIncludes = msgIncludesOrMsg;
    }
  } else {
    msg = errorClassOrMsg;
  }
  let doesThrow = false;
  let isPromiseReturned = false;
  const s = suffix(msg);
  try {
    const possiblePromise = fn();
    if (possiblePromise && typeof possiblePromise === 'object' && typeof possiblePromise.then === 'function') {
      isPromiseReturned = true;
      await possiblePromise;
    } else {
      throw new Error();
    }
  } catch (error) {
    if (!isPromiseReturned) throw new AssertionError(`Function throws when expected to reject${s}`);
    if (ErrorClass) {
      if (!(error instanceof Error)) throw new AssertionError(`A non-Error object was rejected${s}`);
      assertIsError(error, ErrorClass, msgIncludes, msg);
    }
    err = error;
    doesThrow = true;
  }
  if (!doesThrow) throw new AssertionError(`Expected function to reject${s}`);
  return err;
}

export function fail(msg) {
  assert(false, `Failed assertion${msg ? `: ${msg}` : '.'}`);
}

export function unimplemented(msg) {
  throw new AssertionError(`Unimplemented${msg ? `: ${msg}` : '.'}`);
}

export function unreachable(reason) {
  throw new AssertionError(reason ?? 'unreachable');
}
