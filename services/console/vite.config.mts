import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the embedded app under /console (and by the static image in the scaled mode).
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
