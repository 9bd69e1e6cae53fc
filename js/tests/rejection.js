// An unhandled rejection ends the module with exit 1 (Zinnia's "(in promise)").
// exit: 1
// stderr: error: Uncaught (in promise) TypeError: bad
async function f() { throw new TypeError('bad'); }
f();
setTimeout(() => console.log('must not run'), 50);
