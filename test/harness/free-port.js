#!/usr/bin/env node
// Prints N (default 1) distinct free TCP ports on 127.0.0.1, one per line.
// All sockets stay bound until every port is known, so the N are distinct.
'use strict';
const net = require('net');

const n = Number(process.argv[2] || 1);
if (!Number.isInteger(n) || n < 1 || n > 32) {
  process.stderr.write('usage: free-port.js [N]  (1..32)\n');
  process.exit(2);
}
const servers = [];
const ports = [];
function next() {
  if (ports.length === n) {
    process.stdout.write(ports.join('\n') + '\n');
    servers.forEach(s => s.close());
    return;
  }
  const s = net.createServer();
  s.once('error', e => {
    process.stderr.write(`free-port.js: ${e.message}\n`);
    process.exit(1);
  });
  s.listen(0, '127.0.0.1', () => {
    servers.push(s);
    ports.push(s.address().port);
    next();
  });
}
next();
