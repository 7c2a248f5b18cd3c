// Builds the dashboard into build/ui at the repository root, where the server looks for it by
// default (docs/dashboard.md). `base` is the path the server serves it under.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  base: '/_/',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../build/ui', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
