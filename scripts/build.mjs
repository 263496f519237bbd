#!/usr/bin/env node
// npm run build: install what is missing, compile to dist/.
import { build, ensureDependencies } from './lib.mjs';

ensureDependencies();
build();
