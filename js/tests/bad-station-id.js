// Zinnia refuses a station id that is not 88 hex digits.
// flags: --env STATION_ID=nothex
// exit: 1
// stderr: Invalid station_id format
console.log('must not run');
