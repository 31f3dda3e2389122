#!/usr/bin/env node
// The randomized fault soak (issue 8). Run it through soak.sh, which gives
// it a harness (PostgreSQL + Parse Server + fault proxy) and its env.
//   node soak.js --seed N --rounds N [--faults SPEC] [--keep-going]
// Each round: random source changes, random edits/deletions/creations by
// other Parse clients, one impayes_sync() run under a random fault and
// options, then a clean run and the invariants (check.js). The seed fixes
// the sequence of actions; outcomes (where a cancel lands) may vary.
// Prints "ok soak ..." or "FAILED soak ..." lines (counted by test/run.sh).
'use strict';
const fs = require('fs');
const path = require('path');
const { makeRng } = require('./rng');
const source = require('./source');
const { planClientOps, applyClientOps } = require('./clients');
const { checkParse, checkLedger, diffReads } = require('./check');
const { makeParse } = require('./parse');
const { FAULTS, faultWeights } = require('./faults');
const { makeContext } = require('./run');

const KEY = 'numero_facture';
const CLASS = 'Soak';
const DB = 'soak';

function parseArgs(argv) {
  const a = { seed: null, rounds: 25, faults: '', keepGoing: false, initial: 30 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (argv[i + 1] === undefined) throw new Error(`missing value for ${k}`);
      return argv[++i];
    };
    if (k === '--seed') a.seed = Number(v());
    else if (k === '--rounds') a.rounds = Number(v());
    else if (k === '--faults') a.faults = v();
    else if (k === '--initial-rows') a.initial = Number(v());
    else if (k === '--keep-going') a.keepGoing = true;
    else throw new Error(`unknown argument ${k}`);
  }
  if (a.seed === null) a.seed = Math.floor(Math.random() * 2 ** 31);
  for (const n of ['seed', 'rounds', 'initial']) {
    if (!Number.isInteger(a[n]) || a[n] < 0) throw new Error(`--${n} must be a non-negative integer`);
  }
  return a;
}

// One round's actions, drawn from the seed only.
function planRound(rng, model, weights) {
  const sourceOps = source.planSourceOps(rng, model, rng.int(1, 8));
  const clientOps = planClientOps(rng, model, rng.weighted([[0, 3], [1, 2], [2, 1], [3, 1]]));
  // Other clients again after the faulty run, before the clean one.
  const clientOpsAfter = rng.chance(0.25) ? planClientOps(rng, model, rng.int(1, 2)) : [];
  const onMissing = rng.pick(['keep', 'delete']);
  const fault = rng.weighted(Object.entries(weights));
  const faultParams = FAULTS[fault].plan(rng);
  const opts = {
    dry_run: rng.chance(0.15), full: rng.chance(0.2), rollback: rng.chance(0.12),
    settings: {
      on_missing: onMissing, batch_size: String(rng.pick([2, 3, 5, 10, 500])),
      parallel_requests: String(rng.pick([1, 2, 3])), max_retries: String(rng.pick([0, 1, 2, 3])),
      raise_on_error: rng.chance(0.15) ? 'on' : 'off', request_timeout: '30s',
    },
  };
  return { sourceOps, clientOps, clientOpsAfter, onMissing, fault, faultParams, opts };
}

function describePlan(plan) {
  const count = ops => Object.entries(ops.reduce((m, o) => ({ ...m, [o.kind]: (m[o.kind] || 0) + 1 }), {}))
    .map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const o = plan.opts;
  const flags = [o.dry_run && 'dry_run', o.full && 'full', o.rollback && 'rollback',
    o.settings.raise_on_error === 'on' && 'raise_on_error'].filter(Boolean);
  const params = Object.keys(plan.faultParams).length ? JSON.stringify(plan.faultParams) : '';
  const after = plan.clientOpsAfter.length ? ` then clients[${count(plan.clientOpsAfter)}]` : '';
  return `source[${count(plan.sourceOps)}] clients[${count(plan.clientOps)}] on_missing=${plan.onMissing} ` +
    `fault=${plan.fault}${params} batch=${o.settings.batch_size} par=${o.settings.parallel_requests} ` +
    `retries=${o.settings.max_retries}${flags.length ? ' ' + flags.join(' ') : ''}${after}`;
}

function describeOutcome(out) {
  const fired = out.fired === undefined ? '' : out.fired ? ' [fault fired]' : ' [run ended before the fault]';
  if (out.kind === 'result') {
    const r = out.result;
    return `success=${r.success} inserted=${r.inserted} updated=${r.updated} deleted=${r.deleted} ` +
      `skipped=${r.skipped} failed=${r.failed} rejected=${r.rejected} mode=${r.mode}` +
      (r.error ? ` error: ${String(r.error).slice(0, 200)}` : '') + fired;
  }
  return `${out.kind} ${out.code || ''}: ${String(out.message).split('\n')[0].slice(0, 200)}${fired}`;
}

// Crashed backends in the server log since offset (e.g. an abort()).
function crashesSince(logFile, offset) {
  const text = fs.readFileSync(logFile, 'utf8').slice(offset);
  return text.split('\n').filter(l => /terminated by signal|PANIC:|was terminated by exception/.test(l));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const env = process.env;
  for (const v of ['IMPAYES_STATE', 'PGPORT', 'IMPAYES_PARSE_URL', 'IMPAYES_PROXY_URL', 'IMPAYES_APP_ID', 'IMPAYES_MASTER_KEY_FILE', 'IMPAYES_REPO']) {
    if (!env[v]) throw new Error(`${v} is not set (run soak.sh, or . STATE_DIR/env)`);
  }
  const pg = require(path.join(env.IMPAYES_REPO, 'test/parse/node_modules/pg'));
  const weights = faultWeights(args.faults);
  const lateBatch = { mode: env.SOAK_LATE_BATCH_MODE || 'late-batch', timeout: env.SOAK_LATE_BATCH_TIMEOUT || '1s',
    done: env.SOAK_LATE_BATCH_DONE || 'late-forwarded' };
  if (weights['late-batch'] > 0 && !lateBatch.mode) throw new Error('fault late-batch needs SOAK_LATE_BATCH_MODE (the proxy mode)');
  const faultSpec = args.faults ? ` --faults '${args.faults}'` : '';
  const replay = rounds => `bash test/soak/soak.sh --seed ${args.seed} --rounds ${rounds}${faultSpec}`;
  console.log(`soak: seed=${args.seed} rounds=${args.rounds} faults=${Object.entries(weights).filter(([, w]) => w > 0).map(([k, w]) => `${k}=${w}`).join(',')}`);

  // A database and a class of its own, fresh each time.
  const admin = new pg.Client({ host: '127.0.0.1', port: Number(env.PGPORT), user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const parse = makeParse({ url: env.IMPAYES_PARSE_URL, appId: env.IMPAYES_APP_ID, keyFile: env.IMPAYES_MASTER_KEY_FILE, className: CLASS });
  await parse.dropClass();
  const ctx = makeContext({ pg, env, dbName: DB, className: CLASS, sourceTable: source.TABLE, lateBatch, log: console.log });
  await ctx.connectControl();
  const db = ctx.control();
  await db.query('CREATE EXTENSION impayes_sync');
  await db.query(source.CREATE_SQL);

  const rng = makeRng(args.seed);
  const model = source.makeModel();
  const initial = source.planSourceOps({ ...rng, weighted: () => 'insert' }, model, args.initial);
  await source.applySourceOps(db, initial);
  const pgLog = env.IMPAYES_PG_LOG;
  let logMark = pgLog ? fs.statSync(pgLog).size : 0;
  let failures = 0;
  const stats = {};

  for (let round = 1; round <= args.rounds; round++) {
    const plan = planRound(rng, model, weights);
    const lines = [`round ${round}/${args.rounds}: ${describePlan(plan)}`];
    const problems = [];
    let faultOut = null;
    let cleanOut = null;
    try {
      // Whatever the previous round (or test) left: proxy passes, Parse up.
      await ctx.proxy.set('pass');
      if (!(await parse.healthy())) await ctx.harness.restart();
      await source.applySourceOps(db, plan.sourceOps);
      if (!(await source.checkModel(db, model))) throw new Error('soak bug: the source table and the model differ');
      lines.push(...(await applyClientOps(parse, KEY, plan.clientOps)).map(l => `  other client: ${l}`));
      const before = plan.opts.dry_run ? await parse.readAll() : null;

      faultOut = await FAULTS[plan.fault].run(ctx, plan.faultParams, plan.opts);
      lines.push(`  fault run: ${describeOutcome(faultOut)}`);
      const s = (stats[plan.fault] = stats[plan.fault] || { rounds: 0, fired: 0 });
      s.rounds++;
      if (faultOut.fired) s.fired++;
      if (faultOut.kind === 'hang') problems.push(faultOut.message);

      // Back to normal: proxy passes, Parse up, a live session.
      await ctx.proxy.set('pass');
      if (!(await parse.healthy())) await ctx.harness.restart();
      await ctx.ensureSync();

      const afterFault = await parse.readAll();
      if (plan.opts.dry_run) {
        problems.push(...diffReads(before, afterFault).map(p => `dry run changed Parse: ${p}`));
      } else if (faultOut.kind === 'result' && faultOut.result.success === true) {
        const expected = await source.readExpected(db);
        problems.push(...checkParse({ expected, objects: afterFault, keyField: KEY, onMissing: plan.onMissing })
          .map(p => `fault run said success:true but: ${p}`));
      }

      lines.push(...(await applyClientOps(parse, KEY, plan.clientOpsAfter)).map(l => `  other client, after the fault run: ${l}`));
      cleanOut = await ctx.run({ settings: { on_missing: plan.onMissing, request_timeout: '60s', max_retries: '3' } });
      lines.push(`  clean run: ${describeOutcome(cleanOut)}`);
      if (cleanOut.kind !== 'result' || cleanOut.result.success !== true) problems.push(`clean run did not succeed: ${describeOutcome(cleanOut)}`);
      const expected = await source.readExpected(db);
      const objects = await parse.readAll();
      problems.push(...checkParse({ expected, objects, keyField: KEY, onMissing: plan.onMissing })
        .map(p => `after the clean run: ${p}`));
      if (cleanOut.kind === 'result' && cleanOut.result.success === true) {
        const entries = (await db.query('SELECT key, object_id FROM impayes_sync.ledger WHERE class_name = $1', [CLASS])).rows;
        problems.push(...checkLedger({ entries, expected, objects, keyField: KEY }).map(p => `after the clean run: ${p}`));
      }
      if (pgLog) {
        problems.push(...crashesSince(pgLog, logMark).map(l => `server log: ${l}`));
        logMark = fs.statSync(pgLog).size;
      }
    } catch (e) {
      problems.push(`round aborted: ${e.stack || e}`);
    }
    console.log(lines[0] + (problems.length ? '' : ` => ${faultOut ? describeOutcome(faultOut) : ''}`));
    if (!problems.length) continue;

    failures++;
    console.log([`=== soak violation: seed=${args.seed} round=${round}`, ...lines, '  problems:',
      ...problems.slice(0, 40).map(p => `    ${p}`), problems.length > 40 ? `    ... ${problems.length - 40} more` : null,
      '  source changes this round:', ...plan.sourceOps.map(o => `    ${JSON.stringify(o)}`),
      `  replay: ${replay(round)}`].filter(l => l !== null).join('\n'));
    console.log(`FAILED soak seed=${args.seed} round ${round}: ${problems[0].slice(0, 200)}`);
    if (!args.keepGoing) break;
    // Start the next round from a clean slate (the source stays).
    await ctx.proxy.set('pass');
    if (!(await parse.healthy())) await ctx.harness.restart();
    await parse.dropClass();
    await db.query('TRUNCATE impayes_sync.ledger, impayes_sync.sync_state');
  }

  console.log('soak: faults (rounds/fired): ' + Object.entries(stats).map(([k, s]) => `${k} ${s.rounds}/${s.fired}`).join(', '));
  await ctx.close();
  if (failures === 0) console.log(`ok soak seed=${args.seed} rounds=${args.rounds}`);
  else if (args.keepGoing) console.log(`soak: ${failures} of ${args.rounds} rounds failed (seed ${args.seed})`);
  process.exitCode = failures ? 1 : 0;
}

main().catch(e => {
  console.log(`FAILED soak: ${e.stack || e}`);
  process.exitCode = 1;
});
