/**
 * When the attempt event of a POST cannot be produced, the POST is not made again: only the produce is
 * retried, up to DISPATCH_RECORD_TIMEOUT_MS; then fan-out stops (exit 70) without acknowledging the
 * journal entry, and the next start records the POST as `interrupted`. The broker refuses the events for
 * real: the attempts topic's `max.message.bytes` is made smaller than any attempt event.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ConfigResourceTypes } from 'kafkajs';
import { TOPICS, type DeliveryAttempt } from '@hookpost/contracts';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

const RECORD_TIMEOUT_MS = 5000;
const EVENTS = 3;

describe('dispatch: an attempt event that cannot be produced', () => {
  let system: TestSystem;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start({
      env: { DISPATCH_RECORD_TIMEOUT_MS: String(RECORD_TIMEOUT_MS), SHUTDOWN_TIMEOUT_MS: '5000' },
    });
  }, 120_000);

  afterAll(async () => {
    await receiver?.stop();
    if (system) await system.stop();
  }, 60_000);

  const setMaxMessageBytes = async (value: string | null): Promise<string> => {
    const admin = system.kafka.admin();
    await admin.connect();
    try {
      const name = system.topic(TOPICS.deliveryAttempts);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] }],
      });
      const before = described.resources[0].configEntries[0].configValue;
      if (value !== null) {
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            { type: ConfigResourceTypes.TOPIC, name, configEntries: [{ name: 'max.message.bytes', value }] },
          ],
        });
      }
      return before;
    } finally {
      await admin.disconnect();
    }
  };

  it('makes each POST once, stops with 70 past the bound, and after a restart records each POST `interrupted` and delivers again', async () => {
    const account = await system.admin('/internal/v1/accounts', { name: 'R' });
    await system.addDomain(account, 'rec.example.com', [['delivered', receiver.url('/rec')]]);
    await system.configPropagated();

    const original = await setMaxMessageBytes(null);
    await setMaxMessageBytes('64'); // far below any attempt event (a record batch alone is ~70 bytes)
    const fanOut = system.service('fan-out');
    const ids = await system.produceSeedEvents('delivered', 'rec.example.com', EVENTS, 'rec');
    await receiver.waitFor('/rec', EVENTS, 30_000);

    // The bound is 5 s: watch for 10 s past the first POST whether any is made again.
    const exited = fanOut.exited();
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    await sleep(RECORD_TIMEOUT_MS * 2);
    const posts = receiver.received('/rec').length;
    assert.equal(posts, EVENTS, `one POST per job while its attempt event cannot be produced (got ${posts})`);
    const code = exitCode !== undefined ? exitCode : await Promise.race([exited, sleep(15_000, 'running')]);
    assert.equal(code, 70, 'fan-out stopped with exit code 70');
    const log = fanOut.output.join('');
    assert.match(log, /attempt event could not be produced within DISPATCH_RECORD_TIMEOUT_MS/);

    await setMaxMessageBytes(original);
    await (await system.startService('fan-out')).waitReady();

    const mine = (a: DeliveryAttempt) => a.domain === 'rec.example.com';
    const attempts = await system.consumeUntil(
      TOPICS.deliveryAttempts,
      (v) => JSON.parse(v.toString('utf8')) as DeliveryAttempt,
      (items) => items.filter(mine).length >= 2 * EVENTS,
      60_000,
    );
    await sleep(1000);
    for (const id of ids) {
      const of = attempts.filter((a) => mine(a) && a.event_id === id);
      assert.deepEqual(
        of.map((a) => a.error_class ?? a.outcome).sort(),
        ['delivered', 'interrupted'],
        `${id}: the first POST recorded interrupted, the one after the restart delivered`,
      );
      const posted = receiver.received('/rec').filter((r) => r.body.includes(id)).length;
      assert.equal(posted, 2, `${id}: POSTed once before the stop and once after the restart`);
    }
  }, 180_000);
});
