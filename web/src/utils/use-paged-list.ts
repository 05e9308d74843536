import { reactive, ref, type Ref } from 'vue';
import type { Page } from '../api/types.ts';

/** The state of a paged list page: `load()` fetches the current page with the given filters. */
export function usePagedList<Row, Filters extends object>(
  fetchPage: (query: Filters & { limit: number; offset: number }) => Promise<Page<Row>>,
  filters: Filters,
  pageSize = 20,
) {
  const rows: Ref<Row[]> = ref([]);
  const total = ref(0);
  const totalExact = ref(true);
  const loading = ref(false);
  const loaded = ref(false);
  const pager = reactive({ page: 1, pageSize });

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const result = await fetchPage({
        ...filters,
        limit: pager.pageSize,
        offset: (pager.page - 1) * pager.pageSize,
      });
      rows.value = result.items;
      total.value = result.total;
      totalExact.value = result.totalExact;
      loaded.value = true;
    } finally {
      loading.value = false;
    }
  }

  async function search(): Promise<void> {
    pager.page = 1;
    await load();
  }

  return { rows, total, totalExact, loading, loaded, pager, load, search };
}

/** What the pager needs of a paged list (components/ListPager.vue). */
export interface PagedList {
  pager: { page: number; pageSize: number };
  total: Ref<number>;
  totalExact: Ref<boolean>;
  load: () => Promise<void>;
}
