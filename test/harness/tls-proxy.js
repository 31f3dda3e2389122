#!/usr/bin/env node
// TLS front-ends and a redirect stub in front of the real Parse Server, for
// the https tests. One process, Node built-ins only.
//
//   node tls-proxy.js --target http://127.0.0.1:Q [--pid-file F]
//        [--tls PORT:CERT:KEY]...   HTTPS on 127.0.0.1:PORT with that
//                                   certificate chain (PEM) and key,
//                                   forwarding every request to the target
//        [--redirect PORT]          plain HTTP on 127.0.0.1:PORT answering
//                                   every request "302 Found" with Location
//                                   = the same path on the target
// The pid file is written once every listener is up. One log line per
// request; headers are never logged (master key).
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');

function fail(msg) {
  process.stderr.write(`tls-proxy: ${msg}\n`);
  process.exit(2);
}

const tls = [];
const redirects = [];
let targetArg;
let pidFile;
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i];
  const v = process.argv[i + 1];
  if (v === undefined) fail(`missing value for ${k}`);
  const port = s => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0 || n > 65535) fail(`bad port in ${k} ${v}`);
    return n;
  };
  if (k === '--target') targetArg = v;
  else if (k === '--pid-file') pidFile = v;
  else if (k === '--redirect') redirects.push(port(v));
  else if (k === '--tls') {
    const [p, cert, key, ...more] = v.split(':');
    if (!cert || !key || more.length) fail(`--tls wants PORT:CERT:KEY, got ${v}`);
    tls.push({ port: port(p), cert, key });
  } else fail(`bad argument ${k}`);
}
if (!targetArg) fail('--target is required');
if (!tls.length && !redirects.length) fail('nothing to listen on (--tls or --redirect)');
const target = new URL(targetArg);
if (target.protocol !== 'http:') fail('--target must be an http:// URL');

function log(line) {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

const HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect'];
function stripHop(headers) {
  const h = { ...headers };
  for (const k of HOP) delete h[k];
  return h;
}

function forwarder(name) {
  return (req, res) => {
    const t0 = Date.now();
    const pathname = req.url.split('?')[0];
    const done = status => log(`${name} ${req.method} ${pathname} status=${status} ms=${Date.now() - t0}`);
    const up = http.request({
      host: target.hostname, port: target.port || 80, method: req.method,
      path: req.url, headers: stripHop(req.headers),
    });
    up.on('response', upRes => {
      res.writeHead(upRes.statusCode, stripHop(upRes.headers));
      upRes.pipe(res);
      upRes.on('end', () => done(upRes.statusCode));
    });
    up.on('error', e => {
      done(`upstream-error(${e.code || e.message})`);
      if (res.headersSent) return res.destroy();
      const body = JSON.stringify({ code: 1, error: `tls-proxy: upstream error ${e.code || e.message}` });
      res.writeHead(502, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    res.on('close', () => { if (!res.writableFinished) up.destroy(); });
    req.pipe(up);
  };
}

function redirector(req, res) {
  const location = target.origin + req.url;
  const body = `Found. Redirecting to ${location}\n`;
  // Drain the request body so the client reads the answer.
  req.resume();
  req.on('end', () => {
    res.writeHead(302, { Location: location, 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    log(`redirect ${req.method} ${req.url.split('?')[0]} status=302`);
  });
}

const servers = [];
function listen(server, port, what) {
  servers.push(server);
  server.keepAliveTimeout = 5000;
  // Failed handshakes (an untrusted certificate, as the tests intend) are
  // logged, not fatal.
  server.on('tlsClientError', e => log(`${what} handshake failed: ${e.code || e.message}`));
  server.on('clientError', (e, socket) => socket.destroy());
  server.on('error', e => fail(`listen ${what} on ${port}: ${e.message}`));
  return new Promise(resolve => server.listen(port, '127.0.0.1', resolve));
}

const ready = [];
for (const t of tls) {
  let opts;
  try {
    opts = { cert: fs.readFileSync(t.cert), key: fs.readFileSync(t.key) };
  } catch (e) {
    fail(`cannot read ${t.cert} / ${t.key}: ${e.code || e.message}`);
  }
  const name = `tls:${t.port}`;
  ready.push(listen(https.createServer(opts, forwarder(name)), t.port, name));
}
for (const p of redirects) ready.push(listen(http.createServer(redirector), p, `redirect:${p}`));

Promise.all(ready).then(() => {
  if (pidFile) fs.writeFileSync(pidFile, `${process.pid}\n`);
  log(`tls-proxy -> ${target.origin}: ${[...tls.map(t => `https 127.0.0.1:${t.port} (${t.cert})`),
    ...redirects.map(p => `redirect 127.0.0.1:${p}`)].join(', ')}`);
});

const stop = () => {
  let left = servers.length;
  for (const s of servers) {
    s.close(() => { if (--left === 0) process.exit(0); });
    s.closeAllConnections();
  }
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
