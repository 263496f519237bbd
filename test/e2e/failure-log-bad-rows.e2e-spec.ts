import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { HEADERS, TOPICS, type DeliveryAttempt } from '@hookpost/contracts';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { MAX_KEY_BYTES } from '@hookpost/domain';
import { sampleAttempt, sampleJob } from '../../libs/domain/src/testing/delivery-fixtures';
import { waitFor } from '../support/processes';
import { TestSystem } from '../support/system';

/** A failed attempt of event `eventId` to `url` (a 500), as fan-out records it. */
const attempt = (eventId: string, url = `https://hooks.example.com/${eventId}`, reason = 'HTTP 500: oops') =>
  sampleAttempt({ reason }, sampleJob({ event_id: eventId, url }));

/**
 * One record PostgreSQL cannot take must not freeze the failure log (its batch retried forever): old
 * records and other producers can hold what ingest now refuses. A lone surrogate is written as U+FFFD (as
 * a rebuild's COPY writes it); an id too long for the indexes, and a row PostgreSQL refuses for a reason
 * the projection cannot foresee (here a CHECK constraint the test adds to its own database), go to the
 * rejected topic with the reason; the records around them make their rows.
 */
describe('failure log: a record PostgreSQL cannot take', () => {
  let system: TestSystem;
  let db: Client;
  const records: DeliveryAttempt[] = [
    attempt('evt-valid-1'),
    attempt('evt-surrogate', 'https://hooks.example.com/lone-\udc00', 'HTTP 500: half \ud83d a smile'),
    attempt('x'.repeat(MAX_KEY_BYTES + 1)),
    attempt('evt-poison', 'https://hooks.example.com/poison'),
    attempt('evt-valid-2'),
  ];
  const rows = async () =>
    (
      await db.query<{ event_id: string; url: string; reason: string }>(
        'SELECT event_id, url, reason FROM webhook_failures ORDER BY event_id',
      )
    ).rows;

  beforeAll(async () => {
    system = await TestSystem.start({ services: ['failure-log'] });
    db = new Client({ connectionString: system.env.DATABASE_URL });
    await db.connect();
    await db.query(
      `ALTER TABLE webhook_failures ADD CONSTRAINT e2e_no_poison CHECK (url NOT LIKE '%/poison')`,
    );
    const producer = system.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // One key: one partition, consecutive offsets, most likely one batch.
    await producer.send({
      topic: system.topic(TOPICS.deliveryAttempts),
      messages: records.map((r) => ({ key: 'same', value: JSON.stringify(r) })),
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    await db?.end();
    if (system) await system.stop();
  });

  it('writes the valid records and the one with lone surrogates (as U+FFFD)', async () => {
    await waitFor(async () => (await rows()).length === 3, 60_000, 'three rows in the failure log', 200);
    expectEqual(await rows(), [
      {
        event_id: 'evt-surrogate',
        url: 'https://hooks.example.com/lone-\ufffd',
        reason: 'HTTP 500: half \ufffd a smile',
      },
      { event_id: 'evt-valid-1', url: 'https://hooks.example.com/evt-valid-1', reason: 'HTTP 500: oops' },
      { event_id: 'evt-valid-2', url: 'https://hooks.example.com/evt-valid-2', reason: 'HTTP 500: oops' },
    ]);
  });

  it('puts the over-long id and the refused row on the rejected topic, with the reason and their source', async () => {
    const rejected = await system.consumeUntil(
      TOPICS.mailEventsRejected,
      (value, headers) => ({
        eventId: (JSON.parse(value.toString('utf8')) as DeliveryAttempt).event_id,
        reason: String(headers[HEADERS.rejectReason]),
        source: `${String(headers[HEADERS.sourceTopic])}@${String(headers[HEADERS.sourceOffset])}`,
      }),
      (items) => items.length >= 2,
      60_000,
    );
    const attemptsTopic = system.topic(TOPICS.deliveryAttempts);
    expectEqual(
      rejected.map((r) => [r.eventId.slice(0, 10), r.source.split('@')[0]]),
      [
        ['x'.repeat(10), attemptsTopic],
        ['evt-poison', attemptsTopic],
      ],
    );
    assert.equal(
      rejected[0].reason,
      `failure log: event_id is ${MAX_KEY_BYTES + 1} bytes long; the failure log keeps ids of at most ${MAX_KEY_BYTES}`,
    );
    assert.match(
      rejected[1].reason,
      /^failure log: PostgreSQL refused the row: .*e2e_no_poison.* \(SQLSTATE 23514\)$/,
    );
  });

  it('keeps going: a later record makes its row', async () => {
    await system.produce(TOPICS.deliveryAttempts, JSON.stringify(attempt('evt-valid-3')), {}, 'same');
    await waitFor(
      async () => (await rows()).some((r) => r.event_id === 'evt-valid-3'),
      60_000,
      'the later record in the failure log',
      200,
    );
  });
});
