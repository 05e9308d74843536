import { ref, type Ref } from 'vue';
import { ApiError } from '../api/request.ts';

/**
 * The state of a detail page: fetches once; a 404 (absent, or outside the user's data scope — the
 * API does not tell which) sets `notFound` instead of raising an error message.
 */
export function useDetail<T>(fetch: () => Promise<T>) {
  const data: Ref<T | null> = ref(null);
  const notFound = ref(false);
  const loading = ref(true);

  async function load(): Promise<void> {
    try {
      data.value = await fetch();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) notFound.value = true;
      else throw error;
    } finally {
      loading.value = false;
    }
  }

  void load();
  return { data, notFound, loading, reload: load };
}
