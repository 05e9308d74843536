import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Build: `npx vite build --config web/vite.config.ts` (npm run build:console) → web/dist, served by the API
 * server. Element Plus components are imported on demand by the resolver (with their CSS), so the first load
 * only carries what the login page and the layout use; every page is its own chunk (see src/router).
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [
    vue(),
    Components({
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: fileURLToPath(new URL('./src/components.d.ts', import.meta.url)),
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // dist/.vite/manifest.json: the chunk graph bench/console.bench.ts measures the first load from.
    manifest: true,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: { '/api': process.env.MINZHENG_API_URL ?? 'http://127.0.0.1:3000' },
  },
});
