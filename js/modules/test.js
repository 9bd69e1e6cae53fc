// zinnia:test — test(name, fn): tests run one after another in registration order; the output and
// the exit status follow Zinnia's runner (zinnia-api.md §5).
import internals from 'station:internal';

const { consolePrint, formatError, setTimeout, now } = internals;
const log = (text) => consolePrint(1, [text]);
const useColor = false;
const green = (s) => (useColor ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s) => (useColor ? `\x1b[31m${s}\x1b[0m` : s);
const grey = (s) => (useColor ? `\x1b[90m${s}\x1b[0m` : s);

const queue = [];
const failures = [];
let passed = 0;
let started = 0;
let lastFile = null;

function callerLocation() {
  const stack = String(new Error().stack || '').split('\n');
  for (const line of stack) {
    if (line.includes('zinnia:test') || !line.includes('(')) continue;
    const m = /\(([^)]*)\)/.exec(line);
    if (m) return m[1];
  }
  return '<unknown>';
}

export function test(name, fn) {
  if (typeof name !== 'string') throw new TypeError(`"name" must be a string, was: ${typeof name}`);
  if (typeof fn !== 'function') throw new TypeError(`"fn" must be a function, was: ${typeof fn}`);
  const location = callerLocation();
  queue.push({ name, fn, location, file: location.replace(/:\d+:\d+$/, '') });
  if (queue.length === 1 && started === 0) {
    started = now();
    setTimeout(runNextTest, 0);
  }
}

async function runNextTest() {
  const t = queue.shift();
  if (!t) return reportSummary();
  if (t.file !== lastFile) {
    log('');
    log(t.file.replace(/^.*\//, ''));
    lastFile = t.file;
  }
  const start = now();
  try {
    await t.fn();
    passed++;
    log(`  ${green('✔')} ${t.name} ${grey(`(${Math.round(now() - start)}ms)`)}`);
  } catch (error) {
    failures.push({ ...t, error });
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
