// hello.js: the smallest Station module in JavaScript.
//
//   station run examples/js/hello.js Ann
//
// Prints a greeting, reports it as activity and counts one job (see docs/js.md).
const [name = 'world'] = Station.args

console.log(`Hello, ${name}!`)
Zinnia.activity.info(`greeted ${name}`)
Zinnia.jobCompleted()
