// Deep recursion is a catchable RangeError, never a host crash.
// stdout: caught RangeError Maximum call stack size exceeded
// stdout: caught again RangeError
// stdout: deep enough true
let depth = 0;
function f() { depth++; return f() + 1; }
try { f(); } catch (e) { console.log('caught', e.name, e.message); }
const g = (n) => [n].map(() => g(n + 1));
try { g(0); } catch (e) { console.log('caught again', e.name); }
console.log('deep enough', depth > 300);
