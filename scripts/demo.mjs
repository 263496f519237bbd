#!/usr/bin/env node
// npm run demo: the whole path of a webhook, end to end, against a running Hookpost.
//
//   terminal 1:  npm start
//   terminal 2:  npm run demo
//
// It creates a primary account and a subaccount with one domain each (new names every run), starts a
// receiving endpoint in this process (127.0.0.1, a free port), sets webhooks for all eight event types
// through the Mailgun API (v3 domain webhooks on the primary's domain, plus one v1 account-level webhook
// of the primary, which also covers the subaccount's domain), produces the seed's eight sample events to
// mail.events as a mail server would, and waits for every signed POST. Each POST is printed on one line
// with its signature checks; at the end a summary table. Exit 0 when all arrived and verify, 1 otherwise.
// It deletes its webhooks and stops its endpoint on the way out (accounts and domains stay).
//
// Environment: CONFIG_URL (default http://127.0.0.1:8080), ADMIN_TOKEN (default: the one `npm start`
// keeps in .local/admin-token), KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (default '').
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { ensureRuntime, ROOT } from './lib.mjs';
import { signatureValid } from './try/verify.mjs';

await ensureRuntime(); // on Node 24, like the system it talks to

const CONFIG_URL = (process.env.CONFIG_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const TOPIC = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}mail.events`;
const TOKEN_FILE = join(ROOT, '.local', 'admin-token');
const SEEDS = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'seed-events.json'), 'utf8'));
const TYPES = Object.keys(SEEDS); // the eight webhook event types
const SUB_TYPES = ['delivered', 'opened', 'complained']; // a few for the subaccount's domain
const PROPAGATION_MS = 1500; // the API promises a change is in effect for events produced 1 s later
const TIMEOUT_MS = 30_000;

const say = (line = '') => process.stdout.write(`${line}\n`);
function die(message) {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
}

// 1. The running system and its admin token.
try {
  const res = await fetch(`${CONFIG_URL}/readyz`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) die(`the config API at ${CONFIG_URL} is not ready yet (${res.status}); try again in a moment`);
} catch {
  die(`the config API at ${CONFIG_URL} is not reachable: start it with npm start in another terminal`);
}
const adminToken =
  process.env.ADMIN_TOKEN || (existsSync(TOKEN_FILE) ? readFileSync(TOKEN_FILE, 'utf8').trim() : '');
if (!adminToken) {
  die(`no ADMIN_TOKEN set and no ${TOKEN_FILE}: start it with npm start in another terminal`);
}

async function call(method, path, { json, form, apiKey } = {}) {
  const headers = apiKey
    ? { authorization: `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}` }
    : { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  let body = json && JSON.stringify(json);
  if (form) {
    body = new FormData(); // multipart; a list becomes a repeated field
    for (const [name, value] of Object.entries(form)) for (const v of [value].flat()) body.append(name, v);
  }
  const res = await fetch(`${CONFIG_URL}${path}`, { method, headers, body });
  const answer = await res.json().catch(() => ({}));
  if (res.status === 401 && !apiKey)
    die(`the admin token was refused by ${CONFIG_URL} (one from an earlier npm start?)`);
  if (!res.ok) die(`${method} ${path} answered ${res.status}: ${answer.message ?? ''}`);
  return answer;
}

// 2. Kafka first, so nothing is provisioned when the broker is not there.
const kafka = new Kafka({
  clientId: 'hookpost-demo',
  brokers: BROKERS,
  logLevel: logLevel.NOTHING,
  retry: { retries: 2 },
});
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect().catch((err) => die(`Kafka at ${BROKERS.join(',')}: ${err.message}`));

// 3. A primary account and a subaccount, a domain each.
const run = randomBytes(3).toString('hex');
const primary = await call('POST', '/internal/v1/accounts', { json: { name: `demo-${run}` } });
const sub = await call('POST', '/internal/v1/accounts', {
  json: { name: `demo-${run}-sub`, parent_account_id: primary.id },
});
primary.domain = `demo-${run}.example.com`;
sub.domain = `demo-${run}-sub.example.com`;
for (const account of [primary, sub]) {
  await call('POST', '/internal/v1/domains', { json: { name: account.domain, account_id: account.id } });
}
const ownerOf = { [primary.domain]: primary, [sub.domain]: sub };
say(`Hookpost demo against ${CONFIG_URL}, events to ${TOPIC} on ${BROKERS.join(',')}`);
say(`  primary account     ${primary.id}  domain ${primary.domain}`);
say(`  subaccount          ${sub.id}  domain ${sub.domain}`);

// 4. The receiving endpoint: one line per POST, and what arrived for the summary.
const expected = new Map(); // `${path} ${event id}` -> { type, domain }
const received = new Map(); // same key -> { signature: boolean, parent: boolean | null }
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return say(`  <- ${req.url}: not JSON`);
    }
    const data = body['event-data'] ?? {};
    const domain = String(data.domain?.name);
    const owner = ownerOf[domain];
    const signature = Boolean(owner) && signatureValid(owner.signing_key, body.signature);
    const parent = body['parent-signature']
      ? signatureValid(primary.signing_key, body['parent-signature'])
      : null;
    const key = `${req.url} ${data.id}`;
    const type = expected.get(key)?.type ?? String(data.event);
    received.set(key, { signature, parent });
    const verdicts = [`signature ${signature ? 'OK' : 'MISMATCH'}`];
    if (parent !== null) verdicts.push(`parent-signature ${parent ? 'OK' : 'MISMATCH'}`);
    say(
      `  <- ${type.padEnd(14)} ${data.id}  ${domain.padEnd(28)} ${req.url.padEnd(8)} ${verdicts.join(', ')}`,
    );
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
say(`  receiver            ${base}  (/domain: domain webhooks, /account: account-level webhook)`);

// 5. Webhooks through the Mailgun API, with the primary's API key.
const asPrimary = { apiKey: primary.api_key };
for (const type of TYPES) {
  await call('POST', `/v3/domains/${primary.domain}/webhooks`, {
    ...asPrimary,
    form: { id: type, url: `${base}/domain` },
  });
}
const { webhook_id: accountWebhook } = await call('POST', '/v1/webhooks', {
  ...asPrimary,
  form: { url: `${base}/account`, event_types: TYPES, description: 'npm run demo' },
});
say(`  webhooks            ${TYPES.length} v3 domain webhooks, account-level webhook ${accountWebhook}`);

// 6. Mail events, as a mail server would produce them, once the configuration is in effect.
await sleep(PROPAGATION_MS);
const messages = [];
const produce = (type, owner, paths) => {
  const event = structuredClone(SEEDS[type]);
  event.id = randomBytes(16).toString('base64url');
  event.timestamp = Date.now() / 1000;
  event.domain = { name: owner.domain };
  event.account = { id: owner.id };
  for (const path of paths) expected.set(`${path} ${event.id}`, { type, domain: owner.domain });
  messages.push({ key: owner.domain, value: JSON.stringify(event) });
};
for (const type of TYPES) produce(type, primary, ['/domain', '/account']);
for (const type of SUB_TYPES) produce(type, sub, ['/account']);
await producer.send({ topic: TOPIC, messages });
await producer.disconnect();
say(`\nProduced ${messages.length} events to ${TOPIC}; waiting for ${expected.size} POSTs (at most 30 s):`);

// 7. Wait for every expected POST, report, then delete the webhooks and stop the endpoint.
const deadline = Date.now() + TIMEOUT_MS;
const missing = () => [...expected.keys()].filter((key) => !received.has(key));
while (missing().length > 0 && Date.now() < deadline) await sleep(100);

say('\nevent type       received   signature OK   parent-signature OK');
let allGood = missing().length === 0;
for (const type of TYPES) {
  const mine = [...expected].filter(([, e]) => e.type === type);
  const got = mine.map(([key]) => received.get(key)).filter(Boolean);
  const subs = mine.filter(([, e]) => e.domain === sub.domain).map(([key]) => received.get(key));
  const signed = got.filter((r) => r.signature).length;
  const parents = subs.filter((r) => r?.parent).length; // a subaccount's POST must carry a valid one
  allGood &&= signed === mine.length && parents === subs.length;
  const cells = [`${got.length}/${mine.length}`, `${signed}/${mine.length}`];
  say(
    `${type.padEnd(16)} ${cells[0].padEnd(10)} ${cells[1].padEnd(14)} ${subs.length ? `${parents}/${subs.length}` : '-'}`,
  );
}
for (const key of missing()) {
  const { type, domain } = expected.get(key);
  say(`missing: ${type} for ${domain} on ${key.split(' ')[0]} (event id ${key.split(' ')[1]})`);
}
const lost = missing().length;
const verdict = allGood
  ? `All ${expected.size} webhooks arrived and every signature verifies.`
  : lost
    ? `${lost} of ${expected.size} POSTs did not arrive in 30 s (same KAFKA_TOPIC_PREFIX as npm start?).`
    : 'Every POST arrived, but not every signature verifies (see above).';
say(`\n${verdict}`);
await call(
  'DELETE',
  `/v4/domains/${primary.domain}/webhooks?url=${encodeURIComponent(`${base}/domain`)}`,
  asPrimary,
);
await call('DELETE', `/v1/webhooks/${accountWebhook}`, asPrimary);
server.closeAllConnections();
server.close();
process.exit(allGood ? 0 : 1);
