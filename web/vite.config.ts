import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `vite build web` builds the console into web/dist, which Keygate serves at `/`.
// `vite web` runs a dev server that forwards API calls to a Keygate on :8080 (`npm start`).
const keygate = process.env.KEYGATE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    proxy: {
      '/v1': keygate,
      '/connection': { target: keygate.replace(/^http/, 'ws'), ws: true },
    },
  },
});
