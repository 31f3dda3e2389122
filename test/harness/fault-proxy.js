#!/usr/bin/env node
// Fault-injecting HTTP reverse proxy in front of the real Parse Server, for
// faults the real server won't produce on demand. Node's http module only.
//
//   node fault-proxy.js --listen-port P --target http://127.0.0.1:Q
//        [--mode MODE] [--mode-file F] [--pid-file F]
//
// MODE (a "-batch" mode applies to POST .../batch only, others pass through):
//   pass                      plain forwarding
//   delay:MS | delay-batch:MS wait MS ms, then forward (not forwarded at all
//                             if the client hung up meanwhile); logs a
//                             "... holding" line as soon as a request is held
//   reset | reset-batch       destroy the client socket without answering
//   reset-mid-body[-batch]    forward, then send status + headers + half of
//                             the upstream body and destroy the socket
//   status:CODE               answer CODE with a small JSON body
//   status-batch:CODE:EVERY   answer CODE on every EVERY-th batch (1 = all)
//   status-batch-after:CODE:K forward the first K batches, then answer CODE
//   hold-batch-after:K        forward the first K batches, hold the next ones
//                             until the mode changes, then forward them (a
//                             test watches a run between two batches); logs
//                             a "... holding" line as soon as one is held
//   apply-then-reset-batch    forward the batch, wait for the whole upstream
//                             answer (so it WAS applied), then destroy the
//                             client socket without answering
//   huge-body:BYTES           answer 200 with BYTES bytes of JSON (chunked,
//                             no Content-Length), without forwarding
//   apply-then-reset-schema-post | apply-then-reset-schema-put
//                             the first POST (PUT) .../schemas/... is
//                             forwarded, its whole answer awaited (so it WAS
//                             applied), then the client socket destroyed;
//                             later requests pass
//   late-batch                hold the first POST /batch without answering;
//                             once its client gave up (closed the
//                             connection), forward it to Parse as soon as
//                             the NEXT request has been answered (so that
//                             request cannot see it), and log "late-forwarded
//                             status=N" when Parse has applied it
// With --mode-file, the file is re-read when it changes (any rewrite, even
// with the same text, resets the counters): one proxy, many scenarios.
// One log line per request; headers are never logged (master key).
'use strict';
const http = require('http');
const fs = require('fs');

function fail(msg) {
  process.stderr.write(`fault-proxy: ${msg}\n`);
  process.exit(2);
}

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i];
  if (!/^--[a-z-]+$/.test(k) || process.argv[i + 1] === undefined) fail(`bad argument ${k}`);
  args[k.slice(2)] = process.argv[i + 1];
}
const listenPort = Number(args['listen-port']);
if (!Number.isInteger(listenPort) || listenPort <= 0) fail('--listen-port is required');
if (!args.target) fail('--target is required');
const target = new URL(args.target);
const modeFile = args['mode-file'];

// Current mode, parsed; counters live with it and reset when it is replaced.
let mode = parseMode(args.mode || 'pass');
let modeStamp = null;

function parseMode(text) {
  const [name, ...rest] = text.trim().split(':');
  const nums = rest.map(Number);
  const m = { text: text.trim(), name, batchCount: 0, error: null };
  const want = n => {
    if (rest.length !== n || nums.some(x => !Number.isInteger(x) || x < 0)) {
      m.error = `invalid mode "${m.text}"`;
    }
  };
  switch (name) {
    case 'pass': case 'reset': case 'reset-batch': case 'reset-mid-body':
    case 'reset-mid-body-batch': case 'apply-then-reset-batch': case 'late-batch':
      want(0); break;
    case 'delay': case 'delay-batch': want(1); m.ms = nums[0]; break;
    case 'status': want(1); m.code = nums[0]; break;
    case 'status-batch': want(2); [m.code, m.every] = nums; if (m.every < 1) m.error = 'EVERY must be >= 1'; break;
    case 'status-batch-after': want(2); [m.code, m.after] = nums; break;
    case 'hold-batch-after': want(1); m.after = nums[0]; break;
    case 'huge-body': want(1); m.bytes = nums[0]; break;
    case 'apply-then-reset-schema-post': case 'apply-then-reset-schema-put':
      want(0); m.schemaCount = 0; break;
    default: m.error = `unknown mode "${m.text}"`;
  }
  if (m.code !== undefined && (m.code < 100 || m.code > 599)) m.error = `bad status in "${m.text}"`;
  return m;
}

// Re-read the mode file when its stat changes. An empty read (a writer that
// truncated but has not written yet) keeps the old mode and retries next time.
function refreshMode() {
  if (!modeFile) return;
  let st;
  try {
    st = fs.statSync(modeFile, { bigint: true });
  } catch {
    return; // no file: keep the current mode
  }
  const stamp = `${st.ino}:${st.mtimeNs}:${st.ctimeNs}:${st.size}`;
  if (stamp === modeStamp) return;
  const text = fs.readFileSync(modeFile, 'utf8').trim();
  if (!text) return;
  modeStamp = stamp;
  mode = parseMode(text);
  log(`mode set to "${mode.text}"${mode.error ? ` (ERROR: ${mode.error})` : ''}`);
}

function log(line) {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

// Hop-by-hop headers are per connection; "expect" was already answered here.
const HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect'];
function stripHop(headers) {
  const h = { ...headers };
  for (const k of HOP) delete h[k];
  return h;
}

function sendJson(res, code, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// Forwards req upstream; onResponse(upRes) takes over, or the default pipes.
function forward(req, res, done, onResponse) {
  const up = http.request({
    host: target.hostname, port: target.port || 80, method: req.method,
    path: req.url, headers: stripHop(req.headers),
  });
  up.on('response', upRes => {
    if (onResponse) return onResponse(upRes);
    res.writeHead(upRes.statusCode, stripHop(upRes.headers));
    upRes.pipe(res);
    upRes.on('end', () => done(`forwarded`, upRes.statusCode));
  });
  up.on('error', e => {
    if (res.headersSent || req.socket.destroyed) return done(`upstream-error ${e.code || e.message}`, '-');
    sendJson(res, 502, { code: 1, error: `fault-proxy: upstream error ${e.code || e.message}` });
    done(`upstream-error ${e.code || e.message}`, 502);
  });
  // Client gone before the answer: drop the upstream request too.
  res.on('close', () => { if (!res.writableFinished && !onResponse) up.destroy(); });
  req.pipe(up);
}

// late-batch: the held request, released once after its client is gone.
let late = null;

function releaseLate(l) {
  if (l.released) return;
  l.released = true;
  const up = http.request({
    host: target.hostname, port: target.port || 80, method: l.method, path: l.url, headers: l.headers,
  });
  up.on('response', upRes => {
    upRes.resume();
    upRes.on('end', () => log(`${l.method} ${l.pathname} mode=${l.mode} late-forwarded status=${upRes.statusCode}`));
  });
  up.on('error', e => log(`${l.method} ${l.pathname} mode=${l.mode} late-forward-error ${e.code || e.message}`));
  up.end(Buffer.concat(l.body));
}

// Reads the whole upstream answer, then hands (upRes, body) to fn.
function collect(upRes, fn) {
  const chunks = [];
  upRes.on('data', c => chunks.push(c));
  upRes.on('end', () => fn(Buffer.concat(chunks)));
}

function handle(req, res) {
  refreshMode();
  const m = mode;
  const t0 = Date.now();
  const pathname = req.url.split('?')[0];
  const isBatch = req.method === 'POST' && /\/batch\/?$/.test(pathname);
  let logged = false;
  const done = (action, status) => {
    if (logged) return;
    logged = true;
    log(`${req.method} ${pathname} mode=${m.text} ${action} status=${status} ms=${Date.now() - t0}`);
  };
  const reset = action => {
    req.socket.destroy();
    done(action, 'none');
  };
  res.on('close', () => { if (!res.writableFinished) done('client-closed', '-'); });

  // The first request after the held batch's client gave up: the held
  // batch goes to Parse once this one is answered.
  if (late && late.clientGone && !late.released) {
    const l = late;
    res.on('finish', () => releaseLate(l));
    res.on('close', () => releaseLate(l));
  }

  if (m.error) return sendJson(res, 500, { code: 1, error: `fault-proxy: ${m.error}` }), done('bad-mode', 500);
  const batchOnly = m.name.endsWith('-batch') || m.name.startsWith('status-batch') ||
    m.name === 'hold-batch-after';
  if (batchOnly && !isBatch) return forward(req, res, done);
  if (isBatch) m.batchCount++;

  switch (m.name) {
    case 'pass':
      return forward(req, res, done);
    case 'delay': case 'delay-batch': {
      // Logged on arrival, so a test can wait until a request is held.
      log(`${req.method} ${pathname} mode=${m.text} holding`);
      const timer = setTimeout(() => {
        if (req.socket.destroyed) return done('client-gone-during-delay', 'none');
        forward(req, res, done);
      }, m.ms);
      res.once('close', () => clearTimeout(timer));
      return;
    }
    case 'hold-batch-after': {
      if (m.batchCount <= m.after) return forward(req, res, done);
      log(`${req.method} ${pathname} mode=${m.text} holding`);
      // Released by the next mode: the file is polled while a batch is held.
      const timer = setInterval(() => {
        refreshMode();
        if (mode === m) return;
        clearInterval(timer);
        if (req.socket.destroyed) return done('client-gone-during-hold', 'none');
        forward(req, res, done);
      }, 50);
      res.once('close', () => clearInterval(timer));
      return;
    }
    case 'reset': case 'reset-batch':
      return reset('reset');
    case 'reset-mid-body': case 'reset-mid-body-batch':
      return forward(req, res, done, upRes => collect(upRes, body => {
        const h = stripHop(upRes.headers);
        delete h['transfer-encoding'];
        h['content-length'] = String(body.length);
        res.writeHead(upRes.statusCode, h);
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => reset(`reset-mid-body(${upRes.statusCode})`));
      }));
    case 'status': case 'status-batch': case 'status-batch-after': {
      const inject = m.name === 'status' ||
        (m.name === 'status-batch' && m.batchCount % m.every === 0) ||
        (m.name === 'status-batch-after' && m.batchCount > m.after);
      if (!inject) return forward(req, res, done);
      // Drain the request body first so the client reads our answer.
      req.resume();
      return req.on('end', () => {
        sendJson(res, m.code, { code: m.code, error: `fault-proxy: injected HTTP ${m.code}` });
        done('injected', m.code);
      });
    }
    case 'late-batch': {
      if (m.batchCount !== 1) return forward(req, res, done);
      const l = { method: req.method, url: req.url, pathname, mode: m.text, headers: stripHop(req.headers),
                  body: [], clientGone: false, released: false };
      late = l;
      req.on('data', c => l.body.push(c));
      log(`${req.method} ${pathname} mode=${m.text} holding`);
      res.on('close', () => { l.clientGone = true; });
      return;
    }
    case 'apply-then-reset-batch':
      return forward(req, res, done, upRes => collect(upRes, () => reset(`applied(${upRes.statusCode})-then-reset`)));
    case 'huge-body': {
      // Streamed as {"results":["xxx...",...]} until BYTES are out or the
      // client hangs up. Logged on arrival (stdout to a file is
      // synchronous), so a test can count the requests once the client
      // has given up.
      log(`${req.method} ${pathname} mode=${m.text} answering`);
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      const item = JSON.stringify('x'.repeat(16378)) + ',';
      let left = m.bytes;
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          const piece = left === m.bytes ? '{"results":[' : item;
          left -= piece.length;
          if (!res.write(piece)) return res.once('drain', pump);
        }
        if (!res.destroyed) res.end('""]}');
        done(`huge-body(${m.bytes - Math.max(left, 0)} bytes written)`, 200);
      };
      return pump();
    }
    case 'apply-then-reset-schema-post': case 'apply-then-reset-schema-put': {
      const method = m.name.endsWith('-post') ? 'POST' : 'PUT';
      if (req.method !== method || !/\/schemas\/[^/]+\/?$/.test(pathname) || m.schemaCount++ > 0) {
        return forward(req, res, done);
      }
      // Logged before the reset, so the line is there when the client sees it.
      return forward(req, res, done, upRes => collect(upRes, () => {
        done(`applied(${upRes.statusCode})-then-reset`, 'none');
        req.socket.destroy();
      }));
    }
  }
}

const server = http.createServer(handle);
server.keepAliveTimeout = 5000;
server.on('clientError', (e, socket) => socket.destroy());
server.listen(listenPort, '127.0.0.1', () => {
  if (args['pid-file']) fs.writeFileSync(args['pid-file'], `${process.pid}\n`);
  refreshMode();
  log(`fault-proxy listening on 127.0.0.1:${listenPort} -> ${target.origin} mode=${mode.text}`);
});
server.on('error', e => fail(`listen: ${e.message}`));
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
