import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, Request, Response } from 'express';

/**
 * The web console (console/, built by Vite into dist/apps/config/public by scripts/build.mjs), served at `/`
 * on the API's own origin: the page speaks only the public REST API, with the customer's API key.
 */
export const CONSOLE_DIR = join(__dirname, '..', 'public');

/** The page loads its own scripts and styles and talks to its own origin, nothing else; it is never framed. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  // index.html names the hashed assets of the build it belongs to: always asked for again.
  'Cache-Control': 'no-cache',
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * `GET /` answers the console's page; `/assets/*` its files, whose names carry a hash of their content, so
 * they are cached for a year (immutable). Nothing else changes: every other path is the API's. Returns false
 * (and serves nothing) when the console was not built.
 */
export function serveConsole(app: INestApplication, dir = CONSOLE_DIR): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  const page = readFileSync(index);
  const express = app as NestExpressApplication;
  express.useStaticAssets(join(dir, 'assets'), {
    prefix: '/assets/',
    index: false,
    redirect: false,
    immutable: true,
    maxAge: '365d',
    setHeaders: (res: Response) => res.setHeader('X-Content-Type-Options', 'nosniff'),
  });
  const server = express.getHttpAdapter().getInstance() as Express;
  server.get('/', (_req: Request, res: Response) => {
    res.set(PAGE_HEADERS).send(page);
  });
  return true;
}
