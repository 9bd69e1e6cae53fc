// Overwriting globals and prototypes does not break the runtime's own bookkeeping.
// stdout: test runner still works
// stdout: ok | 1 passed | 0 failed
// stdout: timer still fires
import { test } from 'zinnia:test';
import { assertEquals } from 'zinnia:assert';
globalThis.fetch = () => { throw new Error('hijacked fetch'); };
globalThis.setTimeout = () => { throw new Error('hijacked setTimeout'); };
const realThen = Promise.prototype.then;
Promise.prototype.then = function () { throw new Error('hijacked then'); };
Array.prototype.push = function () { throw new Error('hijacked push'); };
Object.prototype.toString = function () { throw new Error('hijacked toString'); };
clearTimeout(0);
const iv = setInterval(function tick() { console.log('timer still fires'); clearInterval(iv); }, 30);
test('runner', () => { console.log('test runner still works'); assertEquals({ a: [1] }, { a: [1] }); });
Promise.prototype.then = realThen;
