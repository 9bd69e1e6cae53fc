// zinnia:test — test(name, fn): tests run one after another in registration order; the output and
// the exit status follow Zinnia's runner (zinnia-api.md §5).
import internals from 'station:internal';

const { consolePrint, formatError, setTimeout, now } = internals;
const log = (text) => consolePrint(1, [text]);
const useColor = false;
const green = (s) => (useColor ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s) => (useColor ? `\x1b[31m${s}\x1b[0m` : s);
const grey = (s) => (useColor ? `\x1b[90m${s}\x1b[0m` : s);

// Captured while this module is evaluated (before the importing module's body runs), so a module
// that overwrites Array.prototype.push etc. does not break the runner.
const apply = Reflect.apply;
const push = Array.prototype.push;
const regexpExec = RegExp.prototype.exec;
const stringReplace = String.prototype.replace;
const stringIncludes = String.prototype.includes;
const stringSplit = String.prototype.split;
const queue = [];
let head = 0;
const failures = [];
let passed = 0;
let started = 0;
let lastFile = null;

function callerLocation() {
  const stack = apply(stringSplit, String(new Error().stack || ''), ['\n']);
  for (let i = 0; i < stack.length; i++) {
    const line = stack[i];
    if (apply(stringIncludes, line, ['zinnia:test']) || !apply(stringIncludes, line, ['('])) continue;
    const m = apply(regexpExec, /\(([^)]*)\)/, [line]);
    if (m) return m[1];
  }
  return '<unknown>';
}

export function test(name, fn) {
  if (typeof name !== 'string') throw new TypeError(`"name" must be a string, was: ${typeof name}`);
  if (typeof fn !== 'function') throw new TypeError(`"fn" must be a function, was: ${typeof fn}`);
  const location = callerLocation();
  apply(push, queue, [{ name, fn, location, file: apply(stringReplace, location, [/:\d+:\d+$/, '']) }]);
  if (queue.length === 1 && started === 0) {
    started = now();
    setTimeout(runNextTest, 0);
  }
}

async function runNextTest() {
  const t = head < queue.length ? queue[head++] : undefined;
  if (!t) return reportSummary();
  if (t.file !== lastFile) {
    log('');
    log(apply(stringReplace, t.file, [/^.*\//, '']));
    lastFile = t.file;
  }
  const start = now();
  try {
    await t.fn();
    passed++;
    log(`  ${green('✔')} ${t.name} ${grey(`(${Math.round(now() - start)}ms)`)}`);
  } catch (error) {
    apply(push, failures, [{ ...t, error }]);
    log(`  ${red('✖')} ${t.name} ${grey(`(${Math.round(now() - start)}ms)`)}`);
  }
  setTimeout(runNextTest, 0);
}

function reportSummary() {
  const elapsed = `(${Math.round(now() - started)}ms)`;
  if (failures.length > 0) {
    log('');
    log(' FAILURES ');
    for (const f of failures) {
      log('');
      log(`${f.name} => file:///${f.location}`);
      log(`error: ${f.error instanceof Error ? formatError(f.error) : String(f.error)}`);
    }
    log('');
    log(`${red('FAIL')} | ${passed} passed | ${failures.length} failed ${grey(elapsed)}`);
    const err = new Error('');
    err.name = '[some tests failed]';
    err.stack = '';
    setTimeout(() => { throw err; }, 0);
    return;
  }
  log('');
  log(`${green('ok')} | ${passed} passed | 0 failed ${grey(elapsed)}`);
}
