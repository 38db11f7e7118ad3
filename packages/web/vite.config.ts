// Vite builds the workbench into dist/, which the ocrflow server serves at `/`.
// `base: './'` keeps asset URLs relative so the UI also works behind a path prefix.
// In development (`npx vite` here) /api is proxied to a running ocrflow (OCRFLOW_DEV_API, default :8080).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': process.env.OCRFLOW_DEV_API ?? 'http://127.0.0.1:8080' } },
});
