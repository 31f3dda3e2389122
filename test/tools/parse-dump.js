#!/usr/bin/env node
// parse-dump.js --url URL --app APPID --key-file F --class C [--key K]
//               [--copy | --csv]
// Prints every object of class C as one compact JSON line (keys sorted
// recursively; objectId/createdAt/updatedAt/ACL removed), lines sorted by
// field K (numbers numerically, then by text) or else by the whole line.
//   --copy  escape for COPY ... FROM PROGRAM in text format (backslashes
//           doubled; JSON has no raw control characters)
//   --csv   each line as one CSV-quoted field (COPY ... WITH (FORMAT csv))
// Exits non-zero with a message on any HTTP error.
'use strict';
const { die, parseArgs, connect, readAll, sortKeys } = require('./parse-rest');

const PROG = 'parse-dump';
const { flags, positional } = parseArgs(PROG, process.argv.slice(2), ['copy', 'csv']);
if (positional.length || !flags.class) die(PROG, 'usage: parse-dump.js [--url U --app A --key-file F] --class C [--key K] [--copy|--csv]', 2);
if (flags.copy && flags.csv) die(PROG, '--copy and --csv exclude each other', 2);

const HIDDEN = ['objectId', 'createdAt', 'updatedAt', 'ACL'];
const RANK = v => (v === undefined ? 0 : v === null ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : 4);
const cmpText = (a, b) => (a < b ? -1 : a > b ? 1 : 0); // code units: no locale

function compareBy(key) {
  return (a, b) => {
    const x = a.obj[key];
    const y = b.obj[key];
    const r = RANK(x) - RANK(y);
    if (r) return r;
    if (RANK(x) === 2 && x !== y) return x - y;
    if (RANK(x) === 3 && x !== y) return cmpText(x, y);
    if (RANK(x) === 4) {
      const c = cmpText(JSON.stringify(x), JSON.stringify(y));
      if (c) return c;
    }
    return cmpText(a.line, b.line);
  };
}

(async () => {
  const api = connect(PROG, flags);
  const rows = (await readAll(api, flags.class)).map(o => {
    for (const k of HIDDEN) delete o[k];
    const obj = sortKeys(o);
    return { obj, line: JSON.stringify(obj) };
  });
  rows.sort(flags.key ? compareBy(flags.key) : (a, b) => cmpText(a.line, b.line));
  const fmt = flags.copy ? l => l.replace(/\\/g, '\\\\')
    : flags.csv ? l => `"${l.replace(/"/g, '""')}"`
    : l => l;
  process.stdout.write(rows.map(r => fmt(r.line) + '\n').join(''));
})().catch(e => die(PROG, e.stack || String(e)));
