import { defineConfig, loadEnv } from 'vite';
import react from '@vitejs/plugin-react';

// The C++ server serves the built files (dist/) and the JSON API on the same
// origin. During development `npm run dev` proxies /api to that server; set
// LT_API_URL to point somewhere other than http://127.0.0.1:8080.
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, '.', '');
  const target = env.LT_API_URL || 'http://127.0.0.1:8080';
  return {
    base: '/',
    plugins: [react()],
    server: {
      port: 5173,
      strictPort: true,
      proxy: {
        '/api': { target, changeOrigin: false, secure: false },
      },
    },
    preview: {
      port: 4173,
      proxy: {
        '/api': { target, changeOrigin: false, secure: false },
      },
    },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2020',
      sourcemap: false,
      // Everything is one small chunk: no need for the preload polyfill.
      modulePreload: { polyfill: false },
      // Never inline assets as data: URIs into JS/CSS beyond tiny ones; CSP
      // allows data: only for images.
      assetsInlineLimit: 2048,
    },
  };
});
