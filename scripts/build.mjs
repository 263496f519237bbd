#!/usr/bin/env node
// npm run build: install what is missing, compile to dist/.
//   --production   only what runs (tsconfig.build.json: no tests, no bench), with the dependencies as they
//                  are (no npm ci): the container image's build stage (deploy/Dockerfile)
import { build, ensureRuntime } from './lib.mjs';

if (process.argv.includes('--production')) {
  build({ project: 'tsconfig.build.json' });
} else {
  await ensureRuntime();
  build();
}
