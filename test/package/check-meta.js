#!/usr/bin/env node
// check-meta.js: META.json is valid PGXN metadata (meta-spec 1.0.0) whose
// versions agree with impayes_sync.control and debian/changelog.
// Prints one "ok" line, or one "FAILED" line per failed check; exits 1 then.
'use strict';
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..', '..');
const read = f => fs.readFileSync(path.join(repo, f), 'utf8');
let failures = 0;
const check = (ok, what, why) => {
  if (ok) return;
  console.log(`FAILED ${what}: ${why}`);
  failures++;
};
const semver = /^\d+\.\d+\.\d+$/;
// An extension version "1.1" is the PGXN version "1.1.0".
const asSemver = v => (/^\d+\.\d+$/.test(v) ? `${v}.0` : v);

let meta;
try {
  meta = JSON.parse(read('META.json'));
} catch (e) {
  check(false, 'META.json is valid JSON', e.message);
  process.exit(1);
}

const missing = ['name', 'abstract', 'version', 'maintainer', 'license', 'provides', 'meta-spec',
  'prereqs', 'resources', 'generated_by', 'release_status'].filter(k => meta[k] === undefined);
check(missing.length === 0, 'META.json has the PGXN keys', `missing ${missing.join(', ')}`);
check(meta['meta-spec'] && meta['meta-spec'].version === '1.0.0', 'META.json meta-spec is 1.0.0',
  JSON.stringify(meta['meta-spec']));
check(semver.test(meta.version || ''), 'META.json version is semantic', meta.version);
check(['stable', 'testing', 'unstable'].includes(meta.release_status), 'META.json release_status',
  meta.release_status);
const pg = (((meta.prereqs || {}).runtime || {}).requires || {}).PostgreSQL;
check(pg === '15.0.0', 'META.json requires PostgreSQL 15.0.0', pg);

const ext = (meta.provides || {}).impayes_sync || {};
check(ext.version === meta.version, 'META.json provides impayes_sync at the distribution version',
  `${ext.version} vs ${meta.version}`);
check(typeof ext.file === 'string' && fs.existsSync(path.join(repo, ext.file)),
  'META.json provides.impayes_sync.file exists', ext.file);

const control = read('impayes_sync.control').match(/^default_version\s*=\s*'([^']+)'/m);
const defaultVersion = control ? control[1] : '';
check(asSemver(defaultVersion) === meta.version, 'META.json version agrees with impayes_sync.control',
  `default_version '${defaultVersion}' vs ${meta.version}`);
const scripts = fs.readdirSync(path.join(repo, 'sql')).filter(f => /^impayes_sync--.*\.sql$/.test(f));
check(scripts.some(f => f.endsWith(`--${defaultVersion}.sql`)),
  'a sql/impayes_sync--*.sql script leads to the default version', `none ends in --${defaultVersion}.sql`);

const changelog = read('debian/changelog').match(/^\S+ \(([^)]+)\)/);
const debVersion = changelog ? changelog[1] : '';
check(debVersion.replace(/-[^-]+$/, '') === meta.version,
  'debian/changelog version agrees with META.json', `${debVersion} vs ${meta.version}`);

if (!failures) console.log(`ok META.json: PGXN meta-spec 1.0.0, version ${meta.version} as in impayes_sync.control and debian/changelog`);
process.exit(failures ? 1 : 0);
