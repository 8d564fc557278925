import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev -w @switchboard/console` proxies the API to a running `npm start` (gateway on :4000), so the
// page and /graphql share an origin exactly as when the gateway serves the built console.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } } },
});
