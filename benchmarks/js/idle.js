// benchmarks/js/idle.js: an idle JavaScript module for the daemon memory benchmark: reports
// "ready", then waits on a timer (as a module between rounds does) and never ends.
Zinnia.activity.info('ready')
setInterval(() => {}, 3_600_000)
