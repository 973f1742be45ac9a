// Checks the translations: every key exists in both languages with the same {placeholders},
// and every literal key the sources use, t('a.b'), exists. Exit 1 with the list otherwise.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import en from '../src/locales/en.js';
import zh from '../src/locales/zh-CN.js';

function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else flatten(v, key, out);
  }
  return out;
}
const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');

// The problems of a pair of message trees, as sentences; [] when they agree.
export function checkMessages(enTree, zhTree) {
  const langs = { en: flatten(enTree), 'zh-CN': flatten(zhTree) };
  const problems = [];
  for (const [a, b] of [['en', 'zh-CN'], ['zh-CN', 'en']])
    for (const key of langs[a].keys()) if (!langs[b].has(key)) problems.push(`${key}: in ${a}, missing in ${b}`);
  for (const [key, s] of langs.en)
    if (langs['zh-CN'].has(key) && holes(s) !== holes(langs['zh-CN'].get(key)))
      problems.push(`${key}: placeholders differ ({${holes(s)}} / {${holes(langs['zh-CN'].get(key))}})`);
  for (const [lang, m] of Object.entries(langs))
    for (const [key, s] of m) if (!s.trim()) problems.push(`${key}: empty in ${lang}`);
  return problems;
}

function sources(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'locales' ? [] : sources(p);
    return /\.(vue|js)$/.test(f) ? [p] : [];
  });
}
// The literal keys the sources under dir use, t('a.b'), that have no English message.
export function checkSources(dir, enTree) {
  const keys = flatten(enTree);
  const problems = [];
  let used = 0;
  for (const file of sources(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) {
      used++;
      if (!keys.has(m[1])) problems.push(`${file.slice(dir.length + 1)}: t('${m[1]}') has no translation`);
    }
  }
  return { problems, used, keys: keys.size };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const src = new URL('../src', import.meta.url).pathname;
  const s = checkSources(src, en);
  const problems = [...checkMessages(en, zh), ...s.problems];
  if (problems.length) {
    console.error(`check-i18n: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`check-i18n: ${s.keys} keys in en and zh-CN, ${s.used} literal uses, all present`);
}
