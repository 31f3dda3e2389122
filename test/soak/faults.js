// The fault catalogue: what can go wrong during a soak round's run. Each
// fault has a default weight, a plan(rng) drawn while planning the round (so
// a seed replays it) and a run(ctx, params, opts) that performs the run
// under the fault and returns its outcome (see run.js).
'use strict';

const HOLD = 60000; // ms the proxy holds a request: longer than any wait here

// Runs while the proxy holds requests, then signals the backend once one is
// held (or the run ended first: then nothing is signalled).
function signalWhenHeld(mode, signal) {
  return {
    plan: () => ({ mode, signal }),
    async run(ctx, p, opts) {
      await ctx.proxy.set(p.mode);
      const mark = ctx.proxy.mark();
      return ctx.runAndSignal(opts, () => ctx.proxy.count(mark, / holding$/) > 0, p.signal);
    },
  };
}

// Signals the backend while the source query sleeps.
function signalInSource(signal) {
  return {
    plan: () => ({ signal }),
    async run(ctx, p, opts) {
      const sleepy = { ...opts, settings: { ...opts.settings, query_timeout: '0',
        source: `SELECT s.* FROM ${ctx.sourceTable} s, pg_catalog.pg_sleep(30)` } };
      return ctx.runAndSignal(sleepy, async () => (await ctx.syncWaitEvent()) === 'PgSleep', p.signal);
    },
  };
}

function proxyMode(modes) {
  return {
    plan: rng => ({ mode: rng.pick(modes) }),
    async run(ctx, p, opts) {
      await ctx.proxy.set(p.mode);
      return ctx.run(opts);
    },
  };
}

const FAULTS = {
  none: { weight: 2, plan: () => ({}), run: (ctx, p, opts) => ctx.run(opts) },
  'cancel-read': { weight: 1, ...signalWhenHeld(`delay:${HOLD}`, 'cancel') },
  'cancel-batch': { weight: 2, ...signalWhenHeld(`delay-batch:${HOLD}`, 'cancel') },
  'cancel-source': { weight: 1, ...signalInSource('cancel') },
  'terminate-read': { weight: 1, ...signalWhenHeld(`delay:${HOLD}`, 'terminate') },
  'terminate-batch': { weight: 2, ...signalWhenHeld(`delay-batch:${HOLD}`, 'terminate') },
  'terminate-source': { weight: 1, ...signalInSource('terminate') },
  'statement-timeout': {
    weight: 2,
    plan: rng => ({ ms: rng.int(100, 2500), mode: rng.pick(['pass', 'delay:200', 'delay-batch:500']) }),
    async run(ctx, p, opts) {
      await ctx.proxy.set(p.mode);
      return ctx.run({ ...opts, settings: { ...opts.settings, statement_timeout: `${p.ms}ms` } });
    },
  },
  'parse-down': {
    weight: 1,
    plan: () => ({}),
    async run(ctx, p, opts) {
      await ctx.harness.kill();
      try { return await ctx.run(opts); } finally { await ctx.harness.restart(); }
    },
  },
  // Parse killed while the proxy holds a batch (forwarded to a dead server),
  // restarted while the run retries.
  'kill-parse-held': {
    weight: 1,
    plan: () => ({ mode: 'delay-batch:800' }),
    async run(ctx, p, opts) {
      await ctx.proxy.set(p.mode);
      const mark = ctx.proxy.mark();
      return ctx.runAndAct(opts, () => ctx.proxy.count(mark, / holding$/) > 0, async () => {
        await ctx.harness.kill();
        return ctx.harness.restart();
      });
    },
  },
  // Parse killed once a first batch went through: later batches die half
  // applied.
  'kill-parse-mid': {
    weight: 1,
    plan: () => ({}),
    async run(ctx, p, opts) {
      await ctx.proxy.set('pass');
      const mark = ctx.proxy.mark();
      const small = { ...opts, settings: { ...opts.settings, batch_size: '2', parallel_requests: '2' } };
      return ctx.runAndAct(small, () => ctx.proxy.count(mark, /POST \S*\/batch .* forwarded status=/) > 0, async () => {
        await ctx.harness.kill();
        return ctx.harness.restart();
      });
    },
  },
  'http-5xx': { weight: 2, ...proxyMode(['status-batch:503:2', 'status-batch:500:3', 'status-batch-after:502:1',
    'status-batch-after:503:3', 'status:503', 'status-batch:429:1']) },
  reset: { weight: 2, ...proxyMode(['reset-batch', 'reset-mid-body-batch', 'apply-then-reset-batch', 'reset-mid-body', 'reset']) },
  slow: {
    weight: 1,
    plan: rng => (rng.chance(0.5) ? { mode: `delay:${rng.int(20, 300)}` } : { mode: 'delay-batch:3000', timeout: '1s' }),
    async run(ctx, p, opts) {
      await ctx.proxy.set(p.mode);
      const settings = p.timeout ? { ...opts.settings, request_timeout: p.timeout } : opts.settings;
      return ctx.run({ ...opts, settings });
    },
  },
  // A batch held past request_timeout, then forwarded to Parse after the
  // client gave up (issue 8 item 15): the proxy's late-batch mode, or the
  // one SOAK_LATE_BATCH_MODE names. After the run the soak waits until as
  // many proxy log lines match SOAK_LATE_BATCH_DONE as requests were held.
  'late-batch': {
    weight: 1,
    plan: () => ({}),
    async run(ctx, p, opts) {
      const cfg = ctx.lateBatch;
      if (!cfg.mode) throw new Error('fault late-batch needs SOAK_LATE_BATCH_MODE');
      await ctx.proxy.set(cfg.mode);
      const mark = ctx.proxy.mark();
      const out = await ctx.run({ ...opts, settings: { ...opts.settings, request_timeout: cfg.timeout } });
      await ctx.waitFor(`late batches forwarded (${cfg.done})`, 60000,
        () => ctx.proxy.count(mark, new RegExp(cfg.done)) >= ctx.proxy.count(mark, / holding$/));
      return out;
    },
  },
};

// Weights from a spec: "a=2,b" (only these), or "+a=1,-b" (defaults changed).
function faultWeights(spec) {
  const weights = Object.fromEntries(Object.entries(FAULTS).map(([k, f]) => [k, f.weight]));
  if (!spec) return weights;
  const relative = /^[+-]/.test(spec.trim());
  if (!relative) for (const k of Object.keys(weights)) weights[k] = 0;
  for (const item of spec.split(',').map(s => s.trim()).filter(Boolean)) {
    const m = /^([+-]?)([a-z0-9-]+)(?:=(\d+(?:\.\d+)?))?$/.exec(item);
    if (!m || !(m[2] in FAULTS)) throw new Error(`bad fault "${item}" (known: ${Object.keys(FAULTS).join(', ')})`);
    weights[m[2]] = m[1] === '-' ? 0 : m[3] !== undefined ? Number(m[3]) : Math.max(1, FAULTS[m[2]].weight);
  }
  if (!Object.values(weights).some(w => w > 0)) throw new Error(`fault spec "${spec}" enables no fault`);
  return weights;
}

module.exports = { FAULTS, faultWeights };
