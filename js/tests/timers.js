// Timer ordering, clearTimeout, setInterval, queueMicrotask before timers, arguments.
// stdout: sync
// stdout: micro
// stdout: t0 a b
// stdout: t10
// stdout: tick 1
// stdout: tick 2
// stdout: tick 3
// stdout: t50
const id = setTimeout(() => console.log('cancelled'), 5);
clearTimeout(id);
setTimeout(() => console.log('t50'), 50);
setTimeout(() => console.log('t10'), 10);
setTimeout((a, b) => console.log('t0', a, b), 0, 'a', 'b');
let n = 0;
const iv = setInterval(() => { n++; console.log('tick', n); if (n === 3) clearInterval(iv); }, 12);
queueMicrotask(() => console.log('micro'));
console.log('sync');
