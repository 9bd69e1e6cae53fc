// zinnia:test and zinnia:assert: the runner's output and exit status 1 when a test fails.
// exit: 1
// stdout: zinnia-test.js
// stdout: ✔ equality
// stdout: ✔ async rejection
// stdout: ✔ throws and friends
// stdout: ✖ failing test
// stdout:  FAILURES 
// stdout: failing test => file:///zinnia-test.js
// stdout: error: AssertionError: Values are not equal.
// stdout: FAIL | 3 passed | 1 failed
// stderr: [some tests failed]
import { test } from 'zinnia:test';
import * as A from 'zinnia:assert';
test('equality', () => {
  A.assertEquals({ a: [1, new Map([[1, new Set([2])]])], d: new Date(1) }, { a: [1, new Map([[1, new Set([2])]])], d: new Date(1) });
  A.assertNotEquals({ a: 1 }, { a: 2 });
  A.assertStrictEquals(NaN, NaN);
  A.assertNotStrictEquals({}, {});
  A.assert(A.equal(new URL('http://a/'), new URL('http://a')));
});
test('async rejection', async () => {
  const e = await A.assertRejects(() => Promise.reject(new TypeError('bad thing')), TypeError, 'bad');
  A.assertIsError(e, TypeError, /thing/);
});
test('throws and friends', () => {
  A.assertThrows(() => { throw new RangeError('r'); }, RangeError, 'r');
  A.assertInstanceOf(new URL('http://a'), URL);
  A.assertNotInstanceOf(1, URL);
  A.assertMatch('abc', /b/); A.assertNotMatch('abc', /z/);
  A.assertStringIncludes('hello', 'ell');
  A.assertArrayIncludes([1, { a: 2 }], [{ a: 2 }]);
  A.assertObjectMatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } });
  A.assertAlmostEquals(0.1 + 0.2, 0.3);
  A.assertExists(0); A.assertFalse(0);
  A.assertGreater(2, 1); A.assertGreaterOrEqual(2, 2); A.assertLess(1, 2); A.assertLessOrEqual(2, 2);
  A.assertThrows(() => A.fail('x'), A.AssertionError, 'Failed assertion: x');
  A.assertThrows(() => A.unreachable(), A.AssertionError);
  A.assertThrows(() => A.unimplemented(), A.AssertionError, 'Unimplemented');
});
test('failing test', () => { A.assertEquals({ a: 1 }, { a: 2 }); });
