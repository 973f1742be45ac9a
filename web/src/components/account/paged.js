// One page of a server-paged list ({items, total, next, page, per_page}, docs/api.md
// "Pagination"), with its loading and error state; and money and quantities as the tables of
// an account's records show them (the locale's currency format, with cents).
import { computed, reactive, ref, watch } from 'vue';
import { get } from '../../api.js';
import { i18n } from '../../i18n.js';

export function usePaged(path, perPage = 20, initial = null) {
  const data = ref(initial);
  const error = ref(null);
  const loading = ref(false);
  const pager = reactive({ page: 1, per_page: perPage });
  async function load(page = pager.page) {
    pager.page = page;
    loading.value = true;
    error.value = null;
    try {
      data.value = await get(path(), { page: pager.page, per_page: pager.per_page });
    } catch (e) {
      error.value = e;
    } finally {
      loading.value = false;
    }
  }
  return { data, error, loading, pager, load };
}

// One kind of an account's records (/accounts/{code}/{kind}: orders, payments, contacts), a page
// at a time from the first page again whenever the account changes; as one reactive object
// (data, error, loading, pager, load, and the path for RecordCard's "Add" dialog to POST to).
export function useAccountRecords(code, kind, perPage = 20, initial = null) {
  const path = () => `/accounts/${encodeURIComponent(code())}/${kind}`;
  const list = usePaged(path, perPage, initial);
  watch(code, () => list.load(1), { immediate: true });
  return reactive({ ...list, path: computed(path) });
}

const formats = new Map();
function format(kind, opts) {
  const key = `${i18n.global.locale.value}|${kind}`;
  if (!formats.has(key)) formats.set(key, new Intl.NumberFormat(i18n.global.locale.value, opts));
  return formats.get(key);
}

// "7759.95" -> "CN¥7,759.95" / "¥7,759.95"
export function cents(v, currency = 'CNY') {
  if (v === null || v === undefined || v === '') return '—';
  return format(`c-${currency}`, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(v));
}

// Quantities are exact decimals: up to 4 places, as many as they have.
export function quantity(v) {
  if (v === null || v === undefined || v === '') return '—';
  return format('q', { maximumFractionDigits: 4 }).format(Number(v));
}

// Today in the browser's calendar, YYYY-MM-DD.
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
