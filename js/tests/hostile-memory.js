// Allocation bombs under --memory are catchable errors; the module goes on afterwards.
// flags: --memory 64MiB --env STATION_MEMORY_LIMIT=67108864
// stdout: caught array InternalError out of memory
// stdout: caught string
// stdout: still alive 3
let a = [];
try { for (;;) a.push(new Array(100000).fill(1.5)); } catch (e) { console.log('caught array', e.name, e.message); }
a = null;
let s = 'x';
try { for (;;) s = s + s; } catch (e) { console.log('caught string', e.name); }
s = null;
console.log('still alive', [1, 2, 3].length);
