// The translation check (web/scripts/check-i18n.mjs): it finds a missing key, a placeholder
// that differs and an empty message, and the real messages pass it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMessages, checkSources } from '../../web/scripts/check-i18n.mjs';
import en from '../../web/src/locales/en.js';
import zh from '../../web/src/locales/zh-CN.js';

test('a key missing in one language is reported', () => {
  const p = checkMessages({ a: { b: 'B', c: 'C' } }, { a: { b: '乙' } });
  assert.deepEqual(p, ['a.c: in en, missing in zh-CN']);
});

test('placeholders must match, messages must not be empty', () => {
  const p = checkMessages({ n: '{n} accounts', e: 'x' }, { n: '共 {count} 个', e: ' ' });
  assert.deepEqual(p, ['n: placeholders differ ({n} / {count})', 'e: empty in zh-CN']);
});

test('the UI has every message in English and Chinese', () => {
  assert.deepEqual(checkMessages(en, zh), []);
});

test('every literal key the UI uses exists', () => {
  const r = checkSources(new URL('../../web/src', import.meta.url).pathname, en);
  assert.deepEqual(r.problems, []);
  assert.ok(r.used > 50, `only ${r.used} literal keys found: the scan is broken`);
});
