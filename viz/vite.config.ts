// Vite config for the visualiser: a static app under viz/, built to viz/dist.
// The app imports the simulation model from ../src and the scenarios from
// ../scenarios, so the dev server may read the whole repository.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const vizRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: vizRoot,
  base: './',
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  // The simulation worker (src/model/sim_worker.ts) is an ES module worker.
  worker: { format: 'es' },
  server: { fs: { allow: [repoRoot] } },
  preview: { host: '127.0.0.1' },
});
