// Starting values for what the editor adds to a model (a band, a linear scale, fuzzy grades and
// membership functions), the switch between the two methods, and the key order of a saved
// document. Only starting points: the server checks everything (POST /model/validate).
import en from '../../locales/en.js';
import zh from '../../locales/zh-CN.js';

const clone = (x) => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));
// Twelve significant digits: thirds and tenths come out as a person would type them.
const tidy = (x) => Number(Number(x).toPrecision(12));

// The order of keys in a document (src/io/model.c); keys not listed keep their place after.
const ROOT_KEYS = ['format', 'name', 'method', 'window_months', 'ratings', 'indicators', 'ahp', 'fuzzy', 'tiers'];
const INDICATOR_KEYS = ['name', 'group', 'source', 'label', 'transform', 'bands', 'linear', 'missing', 'weight', 'fuzzy'];
export const POINTS_KEYS = ['transform', 'bands', 'linear', 'missing'];

function ordered(o, keys) {
  const out = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  for (const k of Object.keys(o)) if (!(k in out) && o[k] !== undefined) out[k] = o[k];
  return out;
}

// The document in the usual key order (the server keeps the order it is given).
export function tidyDocument(m) {
  const d = ordered(m, ROOT_KEYS);
  if (Array.isArray(d.indicators)) d.indicators = d.indicators.map((i) => ordered(i, INDICATOR_KEYS));
  return d;
}

// The scale an indicator's values live on, as far as the model says: its bands, its linear
// range, or its rating's range. `reversed` when lower values are better (bands whose points
// fall). Without any (a percentile or a portfolio range on a metric), 0..1 and known false.
export function scaleOf(settings, ind, ratings) {
  const s = settings || {};
  if (s.transform === 'bands' && Array.isArray(s.bands) && s.bands.length) {
    const ends = s.bands.flatMap((b) => [b.min, b.max]).filter((x) => typeof x === 'number' && Number.isFinite(x));
    const lo = Math.min(...ends);
    const hi = Math.max(...ends);
    if (ends.length && lo < hi) {
      const key = (b) => (typeof b.min === 'number' ? b.min : -Infinity);
      const sorted = [...s.bands].sort((a, b) => key(a) - key(b));
      const reversed = Number(sorted[0].points) > Number(sorted[sorted.length - 1].points);
      return { lo, hi, reversed, known: true };
    }
  }
  if (s.transform === 'linear' && s.linear && typeof s.linear === 'object' && s.linear.min < s.linear.max)
    return { lo: s.linear.min, hi: s.linear.max, reversed: false, known: true };
  const rating = (ind.source || '').startsWith('rating:') && (ratings || []).find((r) => `rating:${r.name}` === ind.source);
  if (rating && rating.min < rating.max) return { lo: rating.min, hi: rating.max, reversed: false, known: true };
  return { lo: 0, hi: 1, reversed: false, known: false };
}

// m membership functions, best grade first, laid out evenly over [lo, hi]: each one's feet
// are its neighbours' peaks, so the memberships of a value add up to 1; the ends are open
// shoulders.
export function spreadFunctions({ lo, hi, reversed }, m) {
  if (m <= 1) return [{ shape: 'trapezoid', a: null, b: null, c: null, d: null }];
  // Four significant digits: starting points to adjust, not measurements.
  const p = Array.from({ length: m }, (_, k) => Number((lo + ((hi - lo) * k) / (m - 1)).toPrecision(4)));
  const at = (k) => {
    if (k === 0) return { shape: 'trapezoid', a: null, b: null, c: p[0], d: p[1] };
    if (k === m - 1) return { shape: 'trapezoid', a: p[m - 2], b: p[m - 1], c: null, d: null };
    return { shape: 'triangle', a: p[k - 1], b: p[k], c: p[k + 1] };
  };
  // Grade j (best first) sits at level m-1-j of the ascending scale, or at level j reversed.
  return Array.from({ length: m }, (_, j) => at(reversed ? j : m - 1 - j));
}

// Three bands over the scale: the lower third gives 0, the middle 50, the upper third 100.
export function defaultBands(scale) {
  const a = Number((scale.lo + (scale.hi - scale.lo) / 3).toPrecision(3));
  const b = Number((scale.lo + ((scale.hi - scale.lo) * 2) / 3).toPrecision(3));
  return [
    { min: null, max: a, points: scale.reversed ? 100 : 0 },
    { min: a, max: b, points: 50 },
    { min: b, max: null, points: scale.reversed ? 0 : 100 },
  ];
}

// A rating's range, else the portfolio's smallest and largest values.
export function defaultLinear(ind, ratings) {
  const rating = (ratings || []).find((r) => `rating:${r.name}` === ind.source);
  return rating ? { min: rating.min, max: rating.max } : 'portfolio';
}

// A band to add: from the highest finite bound up, 100 points (the person adjusts it).
export function nextBand(bands) {
  const ends = bands.flatMap((b) => [b.min, b.max]).filter((x) => typeof x === 'number' && Number.isFinite(x));
  return { min: ends.length ? Math.max(...ends) : 0, max: null, points: 100 };
}

// Four grades, best first, with labels in both languages from the message files.
export function defaultGrades() {
  return ['excellent', 'good', 'fair', 'poor'].map((name, j) => ({
    name,
    score: 100 - 20 * j,
    label: { en: en.model.fuzzy.defaults[name], zh: zh.model.fuzzy.defaults[name] },
  }));
}

// The range a score can take: 0..100 with points, the grades' scores with fuzzy.
export function scoreRange(m) {
  const g = m.fuzzy?.grades;
  if (m.method === 'fuzzy' && Array.isArray(g) && g.length)
    return { lo: Number(g[g.length - 1].score), hi: Number(g[0].score) };
  return { lo: 0, hi: 100 };
}

function clampScoreCuts(m) {
  if (m.tiers?.method !== 'score' || !Array.isArray(m.tiers.cuts)) return;
  const { lo, hi } = scoreRange(m);
  if (!(lo <= hi)) return;
  m.tiers.cuts = m.tiers.cuts.map((c) => (typeof c === 'number' ? Math.min(hi, Math.max(lo, c)) : c));
}

// Switches the document m to method fuzzy. stash keeps what the other method had, by
// indicator name, so that switching back gives it back: { points: {}, mfs: {}, head: null,
// noScale: {} } (noScale: the indicators whose functions were laid out without a scale).
export function toFuzzy(m, stash) {
  const ratings = m.ratings || [];
  const head = stash.head ? clone(stash.head) : { grades: defaultGrades(), operator: 'weighted_average', normalize: false };
  const n = head.grades.length;
  for (const ind of m.indicators) {
    const points = {};
    for (const k of POINTS_KEYS) if (ind[k] !== undefined) points[k] = clone(ind[k]);
    stash.points[ind.name] = points;
    for (const k of POINTS_KEYS) delete ind[k];
    const kept = stash.mfs[ind.name];
    if (kept && kept.length === n) ind.fuzzy = clone(kept);
    else {
      const scale = scaleOf(points, ind, ratings);
      ind.fuzzy = spreadFunctions(scale, n);
      if (!scale.known) stash.noScale[ind.name] = true;
    }
  }
  m.fuzzy = head;
  m.method = 'fuzzy';
  clampScoreCuts(m);
}

// Switches the document m back to method points (see toFuzzy).
export function toPoints(m, stash) {
  const ratings = m.ratings || [];
  if (m.fuzzy) stash.head = clone(m.fuzzy);
  for (const ind of m.indicators) {
    if (ind.fuzzy) stash.mfs[ind.name] = clone(ind.fuzzy);
    delete ind.fuzzy;
    const kept = stash.points[ind.name];
    if (kept && kept.transform) Object.assign(ind, clone(kept));
    else {
      const linear = defaultLinear(ind, ratings);
      Object.assign(ind, linear === 'portfolio' ? { transform: 'percentile' } : { transform: 'linear', linear }, { missing: 'zero' });
    }
  }
  delete m.fuzzy;
  m.method = 'points';
  clampScoreCuts(m);
}

// Default cuts when the tier rule changes method, the first time.
export function defaultCuts(method, m) {
  if (method === 'rank') return [5, 15, 30];
  const { lo, hi } = scoreRange(m);
  return [0.75, 0.55, 0.35].map((f) => tidy(lo + (hi - lo) * f));
}
