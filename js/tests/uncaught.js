// An uncaught exception in a timer ends the module with exit 1 and the JS stack on stderr.
// exit: 1
// stderr: error: Uncaught Error: boom
// stderr: at boom (uncaught.js:
function boom() { throw new Error('boom'); }
setTimeout(boom, 1);
setTimeout(() => console.log('must not run'), 50);
