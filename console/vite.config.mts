// The web console's build (scripts/build.mjs runs it): console/ -> dist/apps/config/public, where the config
// service serves it (apps/config/src/console.ts). Hashed file names under assets/ (cached for a year);
// index.html, never cached, names them.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/apps/config/public'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    // The icon stays a file (an inline data: URL would need img-src data: in the page's CSP).
    assetsInlineLimit: 0,
  },
  server: {
    // `npx vite console` with `npm start` running: the API proxied, so the page and the API share an origin.
    proxy: Object.fromEntries(
      ['/v1', '/v3', '/v4', '/v5', '/openapi.json'].map((p) => [
        p,
        process.env.HOOKPOST_API ?? 'http://127.0.0.1:8080',
      ]),
    ),
  },
});
