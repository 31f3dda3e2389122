// Seeded pseudo-random numbers (mulberry32): the same seed gives the same
// sequence on every machine. Only the round planner draws from it, never
// the code that looks at outcomes, so a seed always replays the same actions.
'use strict';

function makeRng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // lo..hi inclusive
  const pick = arr => arr[Math.floor(next() * arr.length)];
  const chance = p => next() < p;
  // weights: [[value, weight], ...] with weight >= 0 and some weight > 0.
  const weighted = weights => {
    const total = weights.reduce((s, [, w]) => s + w, 0);
    let r = next() * total;
    for (const [v, w] of weights) {
      if (w <= 0) continue;
      if (r < w) return v;
      r -= w;
    }
    return weights.filter(([, w]) => w > 0).pop()[0];
  };
  return { next, int, pick, chance, weighted };
}

module.exports = { makeRng };
