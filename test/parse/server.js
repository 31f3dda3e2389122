#!/usr/bin/env node
// Real Parse Server (PostgreSQL adapter) for the impayes_sync tests: 9.10.0
// from this directory's lockfile, or another pinned npm project (e.g.
// test/parse-8.6 for the 8.6 LTS line) given by --parse-dir.
// Options: --port N --database-uri U --app-id A --master-key-file F
//          [--max-upload-size 20mb] [--cloud main.js] [--pid-file F]
//          [--master-key-ips 127.0.0.1,::1]
//          [--parse-dir DIR] [--schema-hooks true|false]
// or the env vars PARSE_TEST_PORT, PARSE_TEST_DATABASE_URI, PARSE_TEST_APP_ID,
// PARSE_TEST_MASTER_KEY_FILE, PARSE_TEST_MAX_UPLOAD_SIZE, PARSE_TEST_CLOUD,
// PARSE_TEST_DIR, PARSE_TEST_SCHEMA_HOOKS.
// --schema-hooks true sets databaseOptions.enableSchemaHooks: on PostgreSQL
// each instance LISTENs on "schema.change" and reloads its schema cache when
// another one changes a schema (what a fleet on one database needs).
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
// The npm project whose node_modules holds the parse-server to run.
const parseDir = path.resolve(opt('parse-dir', 'PARSE_TEST_DIR', __dirname));
const schemaHooks = opt('schema-hooks', 'PARSE_TEST_SCHEMA_HOOKS', 'false');
if (!['true', 'false'].includes(schemaHooks)) fail('--schema-hooks must be true or false');

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
const parseMain = require.resolve('parse-server', { paths: [parseDir] });
const { ParseServer } = require(parseMain);
const parseVersion = require(
  require.resolve('parse-server/package.json', { paths: [parseDir] })).version;

// Options whose default changes in a later version, set explicitly: this
// pins today's behaviour (notably no batch size limit) and silences the
// DeprecationWarning lines at each start. Each line only knows its own
// options (Parse Server refuses unknown keys).
const parseMajor = Number(parseVersion.split('.')[0]);
const pinnedDefaults9 = {
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
};
// 8.6 LTS has no batch size limit at all.
const pinnedDefaults8 = {
  requestComplexity: {
    includeDepth: -1, includeCount: -1, subqueryDepth: -1, queryDepth: -1,
    graphQLDepth: -1, graphQLFields: -1,
  },
  encodeParseObjectInCloudFunction: false,
  enableInsecureAuthAdapters: true,
  databaseOptions: { allowPublicExplain: false }, // we never explain; the safer future default
};

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
  ...(parseMajor >= 9 ? pinnedDefaults9 : pinnedDefaults8),
  ...(cloud ? { cloud: path.resolve(cloud) } : {}),
};
if (schemaHooks === 'true') {
  options.databaseOptions = { ...(options.databaseOptions || {}), enableSchemaHooks: true };
}

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
  console.log(`parse-server ${parseVersion} ready on ${serverURL}`);
}

main().catch(e => {
  process.stderr.write(`server.js: start failed: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
