// Languages: zh-CN and en, picked from the browser, switchable, remembered in localStorage.
// Numbers, money and dates are formatted with Intl for the current language.
import { createI18n } from 'vue-i18n';
import en from './locales/en.js';
import zhCN from './locales/zh-CN.js';

const KEY = 'kam.lang';
export const languages = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
];

function initial() {
  const saved = localStorage.getItem(KEY);
  if (saved && languages.some((l) => l.code === saved)) return saved;
  const nav = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
  return nav.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
  missingWarn: false,
  fallbackWarn: false,
});

export function setLanguage(code) {
  i18n.global.locale.value = code;
  localStorage.setItem(KEY, code);
  document.documentElement.lang = code;
}

const cache = new Map();
function fmt(kind, opts) {
  const key = `${i18n.global.locale.value}|${kind}`;
  if (!cache.has(key)) cache.set(key, new Intl.NumberFormat(i18n.global.locale.value, opts));
  return cache.get(key);
}

// Money comes from the API as a decimal string in major units ("3693224111.4"); shown rounded
// to whole units, and in 万 / millions when compact.
export function money(v, currency = 'CNY', compact = false) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  if (compact)
    return fmt(`mc-${currency}`, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(n);
  return fmt(`m-${currency}`, { style: 'currency', currency, maximumFractionDigits: 0 }).format(n);
}

export function num(v, digits = 0) {
  if (v === null || v === undefined || v === '') return '—';
  return fmt(`n${digits}`, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(Number(v));
}

export function pct(v, digits = 1) {
  if (v === null || v === undefined) return '—';
  return fmt(`p${digits}`, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

export function date(v) {
  if (!v) return '—';
  const d = new Date(v.length === 10 ? `${v}T00:00:00Z` : v);
  return new Intl.DateTimeFormat(i18n.global.locale.value, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}
