#!/usr/bin/env node
// npm run openapi:write: writes docs/openapi.json from the compiled OpenAPI document (build first).
// The JSON goes through Prettier with the repo's settings, so `prettier --check .` accepts the file as
// written (Prettier puts short arrays on one line, where JSON.stringify does not).
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { log, ROOT } from './lib.mjs';

const compiled = join(ROOT, 'dist', 'apps', 'config', 'src', 'openapi', 'openapi.document.js');
if (!existsSync(compiled)) {
  log(`${compiled} is missing: build first (npm run openapi:write does both)`);
  process.exit(1);
}
const { OPENAPI_DOCUMENT } = createRequire(import.meta.url)(compiled);
const target = join(ROOT, 'docs', 'openapi.json');
const options = (await prettier.resolveConfig(target)) ?? {};
writeFileSync(
  target,
  await prettier.format(`${JSON.stringify(OPENAPI_DOCUMENT, null, 2)}\n`, { ...options, filepath: target }),
);
log(`wrote ${target}`);
