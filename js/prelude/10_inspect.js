// inspect() (Zinnia.inspect, Deno.inspect's output style) and console with printf-style formatting.

const inspectDefaults = { depth: 4, colors: false, compact: 3, breakLength: 80, sorted: false, strAbbreviateSize: 10000, iterableLimit: 100 };
const identRe = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const customInspect = SymbolCtor.for('Deno.customInspect');
const nodeCustomInspect = SymbolCtor.for('nodejs.util.inspect.custom');

function quoteString(s) {
  // Deno quotes with ", or ' when the string has ", or ` when it has both.
  let q = '"';
  if (StringPrototypeIncludes(s, '"')) q = StringPrototypeIncludes(s, "'") ? (StringPrototypeIncludes(s, '`') ? '"' : '`') : "'";
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = StringPrototypeCharCodeAt(c, 0);
    if (c === q || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + StringPrototypePadStart(code.toString(16), 2, '0');
    else out += c;
  }
  return q + out + q;
}

function formatKey(key) {
  if (typeof key === 'symbol') return `[${symbolToString(key)}]`;
  return RegExpPrototypeTest(identRe, key) ? key : quoteString(key);
}

function symbolToString(sym) {
  return ReflectApply(Symbol.prototype.toString, sym, []);
}

function functionName(fn) {
  let src = '';
  try { src = FunctionPrototypeToString(fn); } catch { /* ignore */ }
  const name = fn.name;
  if (StringPrototypeStartsWith(src, 'class')) return name ? `[class ${name}]` : '[class (anonymous)]';
  const ctorName = fn.constructor && fn.constructor.name;
  const kind = ctorName === 'AsyncFunction' ? 'AsyncFunction' : ctorName === 'GeneratorFunction' ? 'GeneratorFunction'
    : ctorName === 'AsyncGeneratorFunction' ? 'AsyncGeneratorFunction' : 'Function';
  return name ? `[${kind}: ${name}]` : `[${kind} (anonymous)]`;
}

function constructorName(obj) {
  let proto = obj;
  while (proto !== null) {
    const desc = ObjectGetOwnPropertyDescriptor(proto, 'constructor');
    if (desc && typeof desc.value === 'function' && desc.value.name !== '') return desc.value.name;
    proto = ObjectGetPrototypeOf(proto);
  }
  return null;
}

function formatError(err) {
  let stack = '';
  try { stack = err.stack; } catch { /* ignore */ }
  let head;
  try { head = `${err.name}: ${err.message}`; } catch { head = 'Error'; }
  if (err.message === '' || err.message === undefined) { try { head = `${err.name}`; } catch { /* ignore */ } }
  // The runtime's own frames (the prelude) are left out.
  if (typeof stack === 'string') stack = ArrayPrototypeJoin(StringPrototypeSplit(stack, '\n').filter((l) => l !== '' && !StringPrototypeIncludes(l, 'station:prelude')), '\n');
  let text = typeof stack === 'string' && stack !== '' ? `${head}\n${stack}` : head;
  try {
    if (err.cause !== undefined) text += `\nCaused by: ${inspectValue(err.cause, { ...inspectDefaults, depth: 2 }, 0, [])}`;
  } catch { /* ignore */ }
  return text;
}

function inspectValue(value, opts, level, seen) {
  switch (typeof value) {
    case 'string': return level === 0 ? value : quoteString(value);
    case 'number': return ObjectIs(value, -0) ? '-0' : `${value}`;
    case 'bigint': return `${value}n`;
    case 'boolean': return `${value}`;
    case 'undefined': return 'undefined';
    case 'symbol': return symbolToString(value);
    case 'function': return inspectObject(value, opts, level, seen);
    default:
      if (value === null) return 'null';
      return inspectObject(value, opts, level, seen);
  }
}

function joinEntries(entries, open, close, opts, level, prefix = '') {
  if (entries.length === 0) return `${prefix}${open}${close}`;
  const oneLine = `${prefix}${open} ${ArrayPrototypeJoin(entries, ', ')} ${close}`;
  let multiline = false;
  for (const e of entries) if (StringPrototypeIncludes(e, '\n')) multiline = true;
  if (!multiline && oneLine.length + level * 2 <= opts.breakLength) return oneLine;
  const indent = StringPrototypeRepeat('  ', level + 1);
  const lines = ArrayPrototypeMap(entries, (e) => indent + StringPrototypeReplace(e, /\n/g, '\n' + indent));
  return `${prefix}${open}\n${ArrayPrototypeJoin(lines, ',\n')},\n${StringPrototypeRepeat('  ', level)}${close}`;
}

function inspectObject(value, opts, level, seen) {
  if (ArrayPrototypeIncludes(seen, value)) return '[Circular *1]';
  const custom = value[customInspect];
  if (typeof custom === 'function') {
    try { return `${ReflectApply(custom, value, [(v, o) => inspectValue(v, { ...opts, ...o }, level + 1, seen), opts])}`; } catch { /* fall through */ }
  }
  if (typeof value === 'function') {
    const base = functionName(value);
    const keys = ObjectKeys(value);
    if (keys.length === 0) return base;
    if (level >= opts.depth) return base;
    seen = [...seen, value];
    return joinEntries(ArrayPrototypeMap(keys, (k) => `${formatKey(k)}: ${inspectValue(value[k], opts, level + 1, seen)}`), '{', '}', opts, level, base + ' ');
  }
  if (value instanceof ErrorCtor) return formatError(value);
  const tag = ObjectPrototypeToString(value);
  if (tag === '[object Date]') {
    const t = Date.prototype.getTime.call(value);
    return NumberIsFinite(t) ? Date.prototype.toISOString.call(value) : 'Invalid Date';
  }
  if (tag === '[object RegExp]') return RegExp.prototype.toString.call(value);
  if (tag === '[object Promise]') return 'Promise { <unknown> }';
  if (tag === '[object WeakMap]') return 'WeakMap { <items unknown> }';
  if (tag === '[object WeakSet]') return 'WeakSet { <items unknown> }';
  if (tag === '[object Boolean]' || tag === '[object Number]' || tag === '[object String]') {
    const prim = value.valueOf();
    return `[${tag.slice(8, -1)}: ${inspectValue(prim, opts, 1, seen)}]`;
  }
  if (level >= opts.depth) {
    if (ArrayIsArray(value)) return '[Array]';
    const name = constructorName(value);
    return `[${name || 'Object'}]`;
  }
  seen = [...seen, value];
  const next = (v) => inspectValue(v, opts, level + 1, seen);
  if (ArrayIsArray(value)) {
    const entries = [];
    const n = value.length;
    let holes = 0;
    const limit = MathMin(n, opts.iterableLimit);
    for (let i = 0; i < limit; i++) {
      if (!(i in value)) { holes++; continue; }
      if (holes) { ArrayPrototypePush(entries, `<${holes} empty item${holes > 1 ? 's' : ''}>`); holes = 0; }
      ArrayPrototypePush(entries, next(value[i]));
    }
    if (holes) ArrayPrototypePush(entries, `<${holes} empty item${holes > 1 ? 's' : ''}>`);
    if (n > limit) ArrayPrototypePush(entries, `... ${n - limit} more items`);
    for (const k of ObjectKeys(value)) if (!(NumberIsInteger(+k) && +k >= 0 && +k < n)) ArrayPrototypePush(entries, `${formatKey(k)}: ${next(value[k])}`);
    const name = constructorName(value);
    return joinEntries(entries, '[', ']', opts, level, name && name !== 'Array' ? `${name}(${n}) ` : '');
  }
  if (isTypedArray(value)) {
    const n = TypedArrayPrototypeGetLength(value);
    const entries = [];
    const limit = MathMin(n, opts.iterableLimit);
    for (let i = 0; i < limit; i++) ArrayPrototypePush(entries, next(value[i]));
    if (n > limit) ArrayPrototypePush(entries, `... ${n - limit} more items`);
    return joinEntries(entries, '[', ']', opts, level, `${TypedArrayPrototypeGetSymbolToStringTag(value)}(${n}) `);
  }
  if (tag === '[object ArrayBuffer]') {
    const bytes = new Uint8ArrayCtor(value);
    const entries = [];
    const limit = MathMin(bytes.length, opts.iterableLimit);
    for (let i = 0; i < limit; i++) ArrayPrototypePush(entries, StringPrototypePadStart(bytes[i].toString(16), 2, '0'));
    if (bytes.length > limit) ArrayPrototypePush(entries, `... ${bytes.length - limit} more bytes`);
    return `ArrayBuffer { [Uint8Contents]: <${ArrayPrototypeJoin(entries, ' ')}>, byteLength: ${bytes.length} }`;
  }
  if (value instanceof MapCtor) {
    const entries = [];
    for (const [k, v] of Map.prototype.entries.call(value)) ArrayPrototypePush(entries, `${next(k)} => ${next(v)}`);
    return joinEntries(entries, '{', '}', opts, level, `Map(${Map.prototype.__lookupGetter__ ? value.size : value.size}) `);
  }
  if (value instanceof SetCtor) {
    const entries = [];
    for (const v of Set.prototype.values.call(value)) ArrayPrototypePush(entries, next(v));
    return joinEntries(entries, '{', '}', opts, level, `Set(${value.size}) `);
  }
  const keys = ReflectOwnKeys(value);
  const entries = [];
  for (const k of keys) {
    const desc = ObjectGetOwnPropertyDescriptor(value, k);
    if (!desc || !desc.enumerable) continue;
    if (desc.get || desc.set) ArrayPrototypePush(entries, `${formatKey(k)}: [${desc.get && desc.set ? 'Getter/Setter' : desc.get ? 'Getter' : 'Setter'}]`);
    else ArrayPrototypePush(entries, `${formatKey(k)}: ${next(desc.value)}`);
  }
  if (opts.sorted) entries.sort();
  const proto = ObjectGetPrototypeOf(value);
  let prefix = '';
  if (proto === null) prefix = '[Object: null prototype] ';
  else {
    const name = constructorName(value);
    const toStringTag = value[SymbolToStringTag];
    if (name && name !== 'Object') prefix = `${name} `;
    if (typeof toStringTag === 'string' && toStringTag !== '' && toStringTag !== name) prefix = `${name || 'Object'} [${toStringTag}] `;
  }
  return joinEntries(entries, '{', '}', opts, level, prefix);
}

function inspect(value, options) {
  const opts = { ...inspectDefaults, ...(options || {}) };
  if (typeof value === 'string') return quoteString(value);
  return inspectValue(value, opts, 0, []);
}

// console.log(fmt, ...args): %s %d %i %f %o %O %j %c %% as Deno does.
function formatArgs(args) {
  if (args.length === 0) return '';
  const first = args[0];
  let out = '';
  let a = 1;
  if (typeof first === 'string') {
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first[i] !== '%') continue;
      const c = first[i + 1];
      if (c === '%') { out += StringPrototypeSlice(first, last, i) + '%'; last = i + 2; i++; continue; }
      if (a >= args.length || !StringPrototypeIncludes('sdifoOjc', c)) continue;
      const arg = args[a++];
      let s;
      switch (c) {
        case 's': s = typeof arg === 'string' ? arg : typeof arg === 'bigint' ? `${arg}n` : (typeof arg === 'object' && arg !== null) || typeof arg === 'symbol' ? inspectValue(arg, { ...inspectDefaults, depth: 1 }, 1, []) : StringCtor(arg); break;
        case 'd': case 'i':
          s = typeof arg === 'bigint' ? `${arg}n` : typeof arg === 'number' ? `${parseInt(StringCtor(arg))}` : 'NaN';
          break;
        case 'f': s = typeof arg === 'number' ? `${arg}` : 'NaN'; break;
        case 'j': try { s = JSONStringify(arg); } catch { s = '[Circular]'; } break;
        case 'o': s = inspectValue(arg, { ...inspectDefaults, depth: 4 }, 1, []); if (typeof arg === 'string') s = quoteString(arg); break;
        case 'O': s = inspectValue(arg, inspectDefaults, 1, []); if (typeof arg === 'string') s = quoteString(arg); break;
        case 'c': s = ''; break;
      }
      out += StringPrototypeSlice(first, last, i) + s;
      last = i + 2;
      i++;
    }
    out += StringPrototypeSlice(first, last);
  } else {
    out = inspectValue(first, inspectDefaults, 0, []);
  }
  for (; a < args.length; a++) {
    const arg = args[a];
    out += ' ' + (typeof arg === 'string' ? arg : inspectValue(arg, inspectDefaults, 0, []));
  }
  return out;
}

let consoleIndent = '';
function consolePrint(fd, args) {
  let text = formatArgs(args);
  if (consoleIndent) text = consoleIndent + StringPrototypeReplace(text, /\n/g, '\n' + consoleIndent);
  native.print(fd, text + '\n');
}

const consoleCounts = new MapCtor();
const consoleTimers = new MapCtor();
const consoleObject = {
  log: (...args) => consolePrint(1, args),
  info: (...args) => consolePrint(1, args),
  debug: (...args) => consolePrint(1, args),
  warn: (...args) => consolePrint(2, args),
  error: (...args) => consolePrint(2, args),
  trace: (...args) => {
    const err = new ErrorCtor(formatArgs(args));
    err.name = 'Trace';
    consolePrint(2, [formatError(err)]);
  },
  assert: (cond, ...args) => {
    if (cond) return;
    if (args.length === 0) consolePrint(2, ['Assertion failed']);
    else if (typeof args[0] === 'string') consolePrint(2, [`Assertion failed: ${args[0]}`, ...ArrayPrototypeSlice(args, 1)]);
    else consolePrint(2, ['Assertion failed:', ...args]);
  },
  dir: (obj, options) => native.print(1, consoleIndent + inspectValue(obj, { ...inspectDefaults, ...(options || {}) }, 0, []) + '\n'),
  dirxml: (...args) => consolePrint(1, args),
  table: (...args) => consolePrint(1, args),
  count: (label = 'default') => {
    label = `${label}`;
    const n = (MapPrototypeGet(consoleCounts, label) || 0) + 1;
    MapPrototypeSet(consoleCounts, label, n);
    consolePrint(1, [`${label}: ${n}`]);
  },
  countReset: (label = 'default') => { MapPrototypeDelete(consoleCounts, `${label}`); },
  group: (...args) => { if (args.length) consolePrint(1, args); consoleIndent += '    '; },
  groupCollapsed: (...args) => { if (args.length) consolePrint(1, args); consoleIndent += '    '; },
  groupEnd: () => { consoleIndent = StringPrototypeSlice(consoleIndent, 4); },
  time: (label = 'default') => { MapPrototypeSet(consoleTimers, `${label}`, native.now()); },
  timeLog: (label = 'default', ...args) => {
    const start = MapPrototypeGet(consoleTimers, `${label}`);
    if (start === undefined) { consolePrint(2, [`Timer '${label}' does not exist`]); return; }
    consolePrint(1, [`${label}: ${MathFloor(native.now() - start)}ms`, ...args]);
  },
  timeEnd: (label = 'default') => {
    const start = MapPrototypeGet(consoleTimers, `${label}`);
    if (start === undefined) { consolePrint(2, [`Timer '${label}' does not exist`]); return; }
    MapPrototypeDelete(consoleTimers, `${label}`);
    consolePrint(1, [`${label}: ${MathFloor(native.now() - start)}ms`]);
  },
  clear: () => {},
};
ObjectDefineProperty(consoleObject, SymbolToStringTag, { value: 'console', configurable: true });

// The text printed for an uncaught error (main.c calls hooks.formatError).
hooks.formatError = (err, inPromise) => {
  const body = err instanceof ErrorCtor ? formatError(err) : inspectValue(err, inspectDefaults, 1, []);
  return `error: Uncaught ${inPromise ? '(in promise) ' : ''}${body}`;
};
