// while(true){} is ended by the fuel budget (limit hit, exit 124).
// flags: --fuel 200000000
// exit: 124
// stderr: limit hit: fuel
while (true) {}
