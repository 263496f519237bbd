#!/usr/bin/env node
// npm start: from a fresh clone to the whole system. Installs what is missing, builds, starts the
// local Kafka + PostgreSQL (unless KAFKA_BROKERS / DATABASE_URL are set), creates the topics, runs the
// migrations, starts the six services (the config service serves the web console at /) and stops
// everything it started on Ctrl-C. The admin token is kept in .local/admin-token (0600) while the system
// runs, for `npm run demo`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build, ensureRuntime, log, ROOT, run, SERVICES } from './lib.mjs';

await ensureRuntime();
build();
const { stackUp, stackDown } = await import('./stack.mjs');
const stack = await stackUp();

const adminToken = process.env.ADMIN_TOKEN || randomBytes(24).toString('hex');
const tokenFile = join(ROOT, '.local', 'admin-token');
const basePort = Number(process.env.HTTP_PORT ?? 8080);
const env = {
  ...process.env,
  KAFKA_BROKERS: stack.KAFKA_BROKERS,
  DATABASE_URL: stack.DATABASE_URL,
  ADMIN_TOKEN: adminToken,
  DESTINATION_ALLOW_PRIVATE: process.env.DESTINATION_ALLOW_PRIVATE ?? 'true',
};

log('creating topics and running migrations');
run(process.execPath, [join('dist', 'apps', 'provision', 'src', 'main.js')], { env });

const children = new Map();
const NAME_WIDTH = Math.max(...SERVICES.map((name) => name.length));
let stopping = false;

function startService(name, port) {
  const child = spawn(process.execPath, [join('dist', 'apps', name, 'main.js')], {
    cwd: ROOT,
    env: { ...env, HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) =>
      process.stdout.write(`${name.padEnd(NAME_WIDTH)} | ${line}\n`),
    );
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      log(`${name} exited unexpectedly (${signal ?? code}); stopping everything`);
      void shutdown(1);
    }
  });
  children.set(name, child);
}

async function waitReady(name, port, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} not ready on port ${port} after ${timeoutMs} ms`);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  rmSync(tokenFile, { force: true });
  log('stopping services');
  const exits = [...children.values()].map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children.values()) child.kill('SIGTERM');
  await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 30_000))]);
  for (const child of children.values()) child.kill('SIGKILL');
  if (stack.started.kafka || stack.started.postgres) {
    log('stopping the local stack');
    await stackDown();
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

mkdirSync(join(ROOT, '.local'), { recursive: true });
rmSync(tokenFile, { force: true }); // a left-over file may have another mode
writeFileSync(tokenFile, `${adminToken}\n`, { mode: 0o600 }); // removed again by shutdown()

const ports = Object.fromEntries(SERVICES.map((name, i) => [name, basePort + i]));
for (const name of SERVICES) startService(name, ports[name]);
try {
  await Promise.all(SERVICES.map((name) => waitReady(name, ports[name])));
} catch (err) {
  log(err.message);
  await shutdown(1);
}

const api = `http://127.0.0.1:${ports.config}`;
process.stdout.write(`
Hookpost is running. Config API: ${api}
Web console: ${api}/   (sign in with an account's API key: the api_key of the account created below)
Services (health: /healthz, /readyz): ${SERVICES.map((name) => `${name} :${ports[name]}`).join(', ')}
Kafka: ${stack.KAFKA_BROKERS}   PostgreSQL: ${stack.DATABASE_URL}

Try it, in another terminal:
  export ADMIN_TOKEN=${adminToken}
  curl -s -X POST ${api}/internal/v1/accounts -H "Authorization: Bearer $ADMIN_TOKEN" \\
       -H 'content-type: application/json' -d '{"name":"demo"}'
      # -> {"id": ..., "api_key": ..., "signing_key": ...}: export ACCOUNT_ID, API_KEY, SIGNING_KEY from it
  curl -s -X POST ${api}/internal/v1/domains -H "Authorization: Bearer $ADMIN_TOKEN" \\
       -H 'content-type: application/json' -d "{\\"name\\":\\"sample.mailgun.com\\",\\"account_id\\":\\"$ACCOUNT_ID\\"}"
  SIGNING_KEY=$SIGNING_KEY node scripts/try/receiver.mjs &      # a local endpoint on :9000
  curl -s --user "api:$API_KEY" ${api}/v3/domains/sample.mailgun.com/webhooks \\
       -F id=delivered -F url=http://127.0.0.1:9000/hook
  node scripts/try/send-event.mjs delivered sample.mailgun.com  # a mail server's event -> the receiver

Ctrl-C stops everything.
`);
