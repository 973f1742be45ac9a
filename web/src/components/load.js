// A page's data: loading, error and the value, with a way to load again.
import { ref } from 'vue';

export function useLoad(fn) {
  const data = ref(null);
  const error = ref(null);
  const loading = ref(false);
  async function load(...args) {
    loading.value = true;
    error.value = null;
    try {
      data.value = await fn(...args);
    } catch (e) {
      error.value = e;
    } finally {
      loading.value = false;
    }
  }
  return { data, error, loading, load };
}
