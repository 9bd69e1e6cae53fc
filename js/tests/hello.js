// Console formatting and a clean exit.
// stdout: hello world 42
// stdout: { a: 1, b: [ 1, 2, "x" ] }
// stdout: %o: { x: [ 1, { y: 2 } ] } %s: str %d: 3 %i: -3
// stdout: Map(1) { "k" => 1 } Set(2) { 1, 2 } Uint8Array(3) [ 1, 2, 3 ] null undefined -0 10n
// stdout: [Function: named] [class K] Symbol(s)
// stderr: warned
console.log('hello %s %d', 'world', 42);
console.log({ a: 1, b: [1, 2, 'x'] });
console.log('%%o: %o %%s: %s %%d: %d %%i: %i', { x: [1, { y: 2 }] }, 'str', 3.7, -3.2);
console.log(new Map([['k', 1]]), new Set([1, 2]), new Uint8Array([1, 2, 3]), null, undefined, -0, 10n);
console.log(function named() {}, class K {}, Symbol('s'));
console.warn('warned');
