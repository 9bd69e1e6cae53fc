// 100,000 pending timers and 100,000 pending promises.
// stdout: promises 100000
// stdout: timers 100000
let fired = 0;
for (let i = 0; i < 100000; i++) setTimeout(() => { fired++; }, i % 20);
const ps = [];
for (let i = 0; i < 100000; i++) ps.push(new Promise((r) => queueMicrotask(() => r(i))));
console.log('promises', (await Promise.all(ps)).length);
setTimeout(() => console.log('timers', fired), 40);
