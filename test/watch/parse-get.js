// parse-get.js CLASS KEY FIELD: prints FIELD of the object whose
// numero_facture is KEY ("" when there is none), or, with KEY = "*", the
// number of objects whose FIELD equals the value in argv[5].
// Connection from the harness env (IMPAYES_PARSE_URL, IMPAYES_APP_ID,
// IMPAYES_MASTER_KEY_FILE).
'use strict';
const fs = require('fs');
const [cls, key, field, value] = process.argv.slice(2);
const url = process.env.IMPAYES_PARSE_URL.replace(/\/+$/, '');
const headers = {
  'X-Parse-Application-Id': process.env.IMPAYES_APP_ID,
  'X-Parse-Master-Key': fs.readFileSync(process.env.IMPAYES_MASTER_KEY_FILE, 'utf8').trim(),
};
const where = key === '*' ? { [field]: value } : { numero_facture: key };
const q = new URLSearchParams({ where: JSON.stringify(where), limit: '1000' });
if (key === '*') q.set('count', '1');
fetch(`${url}/classes/${cls}?${q}`, { headers })
  .then(async (r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const body = await r.json();
    if (key === '*') return console.log(String(body.count));
    const o = body.results[0];
    console.log(o === undefined || o[field] === undefined ? '' : String(o[field]));
  })
  .catch((e) => { console.log(`error: ${e.message}`); process.exit(0); });
