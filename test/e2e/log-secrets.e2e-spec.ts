import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { Client } from 'pg';
import { TOPICS } from '@hookpost/contracts';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient, type ApiAnswer } from '../support/api-client';
import { stackInstance, waitFor } from '../support/processes';
import { Receiver } from '../support/receiver';
import { seedEvent } from '../support/seeds';
import { SERVICE_NAMES, stackEnv, TestSystem } from '../support/system';

/** This test's own PostgreSQL server (`scripts/stack.mjs --instance logs`), which it stops. */
const PRIVATE_DATABASE_URL = 'postgres://hookpost:hookpost@127.0.0.1:55447/hookpost';

const logsStack = (command: string) => stackInstance('logs', command);

const DOMAIN = 'logs.example.com';
/** A recipient address no log line may hold; the endpoints echo it in their answers, as some do. */
const RECIPIENT = `leak-${randomBytes(6).toString('hex')}@example.com`;

/**
 * Secrets and PII stay out of the logs when PostgreSQL fails under load: statements cut off by its
 * shutdown carry their parameters (signing keys in the outbox's account records, whole batches of failure
 * rows with their events and the endpoints' answers), and every service's output is searched for them.
 */
describe('logs: no signing key, no recipient address, with PostgreSQL stopped', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let api: ApiClient;
  let signingKey: string;
  let locker: Client | null = null;
  let produced = 0;

  const produceEvents = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const event = structuredClone(seedEvent('permanent_fail')) as Record<string, unknown>;
      event.id = `evt-logs-${produced++}`;
      event.domain = { name: DOMAIN };
      event.recipient = RECIPIENT;
      event.envelope = { ...(event.envelope as object), targets: RECIPIENT };
      (event.message as { headers: Record<string, string> }).headers.to = RECIPIENT;
      await system.produce(TOPICS.mailEvents, JSON.stringify(event));
    }
  };
  const failureEvents = async () => {
    const db = new Client({ connectionString: system.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(DISTINCT event_id) AS n FROM webhook_failures WHERE url LIKE '%/reject'`,
      );
      return Number(rows[0].n);
    } finally {
      await db.end();
    }
  };
  const output = () =>
    Object.fromEntries(SERVICE_NAMES.map((name) => [name, system.service(name).output.join('')]));

  beforeAll(async () => {
    await logsStack('postgres-up');
    receiver = await new Receiver().start();
    receiver.respond = (req) => (req.path.endsWith('/reject') ? 406 : 500);
    receiver.replyBody = () => `no such mailbox: ${RECIPIENT}`;
    system = await TestSystem.start({
      stack: { KAFKA_BROKERS: stackEnv().KAFKA_BROKERS, DATABASE_URL: PRIVATE_DATABASE_URL },
      env: { LOG_LEVEL: 'debug', RETRY_SCHEDULE: '1s,1s' },
    });
    const account = await system.admin('/internal/v1/accounts', { name: 'Logs' });
    signingKey = account.signing_key;
    assert.match(signingKey, /^[0-9a-f]{32}$/);
    api = new ApiClient(system.api, account.api_key);
    await system.addDomain(account, DOMAIN, [
      ['permanent_fail', [receiver.url('/hook/fail'), receiver.url('/hook/reject')]],
    ]);
    await system.configPropagated();
    await produceEvents(3);
    await waitFor(async () => (await failureEvents()) === 3, 60_000, 'the first failures in the log', 200);
  }, 180_000);

  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await receiver?.stop();
    await logsStack('postgres-up').catch(() => undefined); // the system drops its database
    if (system) await system.stop();
    await logsStack('postgres-down').catch(() => undefined);
  });

  it('logs the failures, without the keys or addresses their statements carried', async () => {
    // Statements in flight when PostgreSQL stops: the projection's upsert and the account change's outbox
    // insert wait for these locks, and the shutdown ends them.
    locker = new Client({ connectionString: system.env.DATABASE_URL });
    locker.on('error', () => undefined); // the shutdown ends this connection too
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE webhook_failures, outbox IN ACCESS EXCLUSIVE MODE');
    await produceEvents(3);
    // The account change's outbox record holds the account's signing key.
    const during: Array<Promise<ApiAnswer>> = [
      api.call('PUT', '/v5/accounts/features', { form: { standard_webhooks: '{"enabled": true}' } }),
    ];
    // Watched from another connection: within the locking transaction pg_stat_activity stays a snapshot.
    const watcher = new Client({ connectionString: system.env.DATABASE_URL });
    watcher.on('error', () => undefined);
    await watcher.connect();
    await waitFor(
      async () => {
        const { rows } = await watcher.query<{ query: string }>(
          `SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
        );
        const waiting = (table: string) => rows.some((r) => r.query.includes(table));
        return waiting('webhook_failures') && waiting('outbox');
      },
      60_000,
      "the projection's upsert and the account change's outbox insert waiting",
      200,
    );
    during.push(api.call('POST', '/v5/accounts/http_signing_key')); // waits for the account's row
    await sleep(500);
    await watcher.end();

    await logsStack('postgres-down');
    const answers = await Promise.all(during);
    for (const answer of answers) assert.ok(answer.status >= 500, JSON.stringify(answer.body));
    // While it is down: more failures to record, more writes through the API.
    await produceEvents(3);
    const down = await Promise.all([
      api.call('PUT', '/v5/accounts/features', { form: { standard_webhooks: '{"enabled": false}' } }),
      api.call('POST', '/v5/accounts/http_signing_key'),
    ]);
    for (const answer of down) assert.ok(answer.status >= 500, JSON.stringify(answer.body));
    await sleep(5000);
    await logsStack('postgres-up');
    await waitFor(async () => (await failureEvents()) === 9, 90_000, 'every failure in the log', 500);

    const logs = output();
    // Errors were logged (so this test can fail): the statements the shutdown ended, and the waits.
    assert.match(logs.config, /terminating connection due to administrator command/);
    assert.match(logs['failure-log'], /failure log write failed; retrying/);
    assert.match(logs.config, /database unavailable/);
    const leaks: string[] = [];
    for (const [name, text] of Object.entries(logs)) {
      if (text.includes(signingKey)) leaks.push(`${name}: the signing key`);
      if (text.includes(RECIPIENT)) leaks.push(`${name}: the recipient address`);
      if (/"(parameters|driverError|query)":/.test(text))
        leaks.push(`${name}: a statement or its parameters`);
    }
    expectEqual(leaks, []);
  }, 300_000);
});
