// A tiny long-running node server for the daemons conformance harness: echoes every byte it reads on
// one TCP listener and one unix-socket listener.
// Usage: node server.js HOST PORT UNIX_SOCKET_PATH
'use strict';
const fs = require('fs');
const net = require('net');

const [host, port, socketPath] = process.argv.slice(2);
const echo = (connection) => {
  connection.on('error', () => {});
  connection.pipe(connection);
};

net.createServer(echo).listen(Number(port), host);
try { fs.unlinkSync(socketPath); } catch (e) { if (e.code !== 'ENOENT') throw e; }
net.createServer(echo).listen(socketPath);
