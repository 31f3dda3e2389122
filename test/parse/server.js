#!/usr/bin/env node
// Real Parse Server 9.10.0 (PostgreSQL adapter) for the impayes_sync tests.
// Options: --port N --database-uri U --app-id A --master-key-file F
//          [--max-upload-size 20mb] [--cloud main.js] [--pid-file F]
//          [--master-key-ips 127.0.0.1,::1]
// or the env vars PARSE_TEST_PORT, PARSE_TEST_DATABASE_URI, PARSE_TEST_APP_ID,
// PARSE_TEST_MASTER_KEY_FILE, PARSE_TEST_MAX_UPLOAD_SIZE, PARSE_TEST_CLOUD.
// The master key is only ever read from a file, so it never shows in `ps`,
// and it is never printed.
'use strict';
const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) fail(`unexpected argument: ${argv[i]}`);
    out[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
    if (out[m[1]] === undefined) fail(`missing value for --${m[1]}`);
  }
  return out;
}

function fail(msg) {
  process.stderr.write(`server.js: ${msg}\n`);
  process.exit(2);
}

const args = parseArgs(process.argv.slice(2));
const opt = (name, env, def) => args[name] ?? process.env[env] ?? def;
const port = Number(opt('port', 'PARSE_TEST_PORT'));
const databaseURI = opt('database-uri', 'PARSE_TEST_DATABASE_URI');
const appId = opt('app-id', 'PARSE_TEST_APP_ID');
const keyFile = opt('master-key-file', 'PARSE_TEST_MASTER_KEY_FILE');
const maxUploadSize = opt('max-upload-size', 'PARSE_TEST_MAX_UPLOAD_SIZE', '20mb');
const cloud = opt('cloud', 'PARSE_TEST_CLOUD');
const pidFile = opt('pid-file', 'PARSE_TEST_PID_FILE');
// Where the master key is accepted from; the harness also runs a server
// that leaves out loopback (test 31_master_key_ips).
const masterKeyIps = opt('master-key-ips', 'PARSE_TEST_MASTER_KEY_IPS', '127.0.0.1,::1').split(',');

if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('--port is required');
if (!databaseURI) fail('--database-uri is required');
if (!appId) fail('--app-id is required');
if (!keyFile) fail('--master-key-file is required');
let masterKey;
try {
  masterKey = fs.readFileSync(keyFile, 'utf8').trim();
} catch (e) {
  fail(`cannot read master key file ${keyFile}: ${e.code || e.message}`);
}
if (!masterKey) fail(`master key file ${keyFile} is empty`);

// The module-level default logger is built at require time: keep it (and
// ours) from creating a ./logs directory in whatever the cwd is.
process.env.PARSE_SERVER_LOGS_FOLDER = 'null';
const { ParseServer } = require('parse-server');

const mountPath = '/parse';
const serverURL = `http://127.0.0.1:${port}${mountPath}`;
const options = {
  appId,
  masterKey,
  databaseURI,
  serverURL,
  mountPath,
  port,
  host: '127.0.0.1', // loopback only
  masterKeyIps,
  allowClientClassCreation: false,
  maxUploadSize,
  logLevel: 'error',
  logsFolder: null,
  verifyServerUrl: false, // we do our own health polling
  // Options whose default changes in a later version, set explicitly: this
  // pins today's behaviour (notably no batch size limit) and silences ~15
  // DeprecationWarning lines at each start.
  requestComplexity: {
    batchRequestLimit: -1, includeDepth: -1, includeCount: -1, subqueryDepth: -1,
    queryDepth: -1, graphQLDepth: -1, graphQLFields: -1,
  },
  protectedFieldsOwnerExempt: true,
  protectedFieldsTriggerExempt: false,
  protectedFieldsSaveResponseExempt: true,
  readOnlyMasterKeyIps: ['127.0.0.1', '::1'], // no read-only key is set anyway
  allowAggregationForReadOnlyMasterKey: false,
  fileUpload: { allowedFileUrlDomains: ['*'] },
  pages: { encodePageParamHeaders: false },
  installation: { duplicateDeviceTokenActionEnforceAuth: false },
  ...(cloud ? { cloud: path.resolve(cloud) } : {}),
};

async function main() {
  if (pidFile) fs.writeFileSync(pidFile, `${process.pid}\n`);
  const server = await ParseServer.startApp(options);
  // startApp installs its own SIGTERM/SIGINT handler (handleShutdown); make
  // sure we really exit even if a client keeps a connection open.
  const forceExit = () => {
    process.stdout.write('\n'); // parse-server's own shutdown message has none
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', forceExit);
  process.on('SIGINT', forceExit);
  if (!server || !server.server) fail('startApp returned no HTTP server');
  console.log(`parse-server ready on ${serverURL}`);
}

main().catch(e => {
  process.stderr.write(`server.js: start failed: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
