/**
 * The rebuild's bulk load against PostgreSQL: rows decoded by the worker pool and loaded with COPY,
 * de-duplicated and given their primary accounts, equal what the live projection's upsert writes for
 * the same records, with text PostgreSQL could not take as it came (U+0000) and text COPY must escape.
 */
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { Pool } from 'pg';
import type { IHeaders } from 'kafkajs';
import {
  attemptId,
  attemptMessage,
  deliveryId,
  HEADERS,
  jobNeeded,
  type AttemptHead,
  type DeliveryAttempt,
} from '@hookpost/contracts';
import type { Sql } from '@hookpost/persistence';
import { failureRowOf, type FailureRow } from '@hookpost/domain';
import { FAILURE_LOG_COLUMNS } from '../../apps/failure-log/src/pg-text';
import { ReplayDecoders } from '../../apps/failure-log/src/rebuild/replay-decoder';
import {
  buildIndexes,
  indexCopies,
  prepareTable,
  REBUILD_TABLE,
  refreshPrimaryAccounts,
  removeDuplicates,
  SEQ_COLUMN,
} from '../../apps/failure-log/src/rebuild/rebuilder';
import { copyText, upsertRows } from '../../apps/failure-log/src/store';
import { seedEvent } from '../support/seeds';
import { TestSystem } from '../support/system';

const TRICKY = 'tab\there, line\nbreak, cr\r, back\\slash, \\N, nul\u0000, ü ✓ 😀';

function attempt(n: number, over: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  const eventId = `evt-${n}`;
  const url = `https://hooks.example.com/${n}`;
  const delivery = deliveryId(eventId, url);
  const job = {
    delivery_id: delivery,
    event_id: eventId,
    webhook: 'permanent_fail' as const,
    domain: 'mg.example.com',
    message_id: `${eventId}@mg.example.com`,
    url,
    level: 'domain' as const,
    attempt: 1,
    trigger: 'initial' as const,
    created_at: 1_700_000_000_000,
    due_at: 1_700_000_000_000,
    event_data: { ...seedEvent('permanent_fail'), note: TRICKY, 'key\u0000': ['\u0000', '\\u0000'] },
  };
  return {
    attempt_id: attemptId(delivery, 1),
    delivery_id: delivery,
    event_id: eventId,
    webhook: 'permanent_fail',
    domain: job.domain,
    account_id: 'sub',
    message_id: job.message_id,
    url,
    attempt: 1,
    trigger: 'initial',
    outcome: 'failed',
    http_status: 500,
    error_class: 'http_status',
    reason: `HTTP 500: ${TRICKY}`,
    duration_ms: 3,
    attempted_at: 1_700_000_000_000 + n,
    job,
    ...over,
  };
}

const record = (offset: number, value: DeliveryAttempt | string | null) => ({
  offset: String(offset),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

/** An attempt as the dispatcher writes it now (delivery-attempt.v2: outcome header, job on failures only). */
function recordV2(offset: number, a: DeliveryAttempt, job: string | null = null) {
  const head: Partial<DeliveryAttempt> = { ...a };
  delete head.job;
  const jobText = job ?? (jobNeeded(a) && a.job ? JSON.stringify(a.job) : null);
  const written = attemptMessage(head as AttemptHead, jobText, {});
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(written.headers ?? {}))
    headers[name] = Buffer.from(String(value));
  return { offset: String(offset), value: Buffer.from(written.value as Buffer | string), headers };
}

describe('failure-log rebuild: bulk load with COPY', () => {
  let system: TestSystem;
  let pool: Pool;
  let sql: Sql;
  let decoders: ReplayDecoders;

  beforeAll(async () => {
    system = await TestSystem.start({ services: [] });
    pool = new Pool({ connectionString: system.env.DATABASE_URL, max: 2 });
    sql = async <T>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as T[];
    await sql(`INSERT INTO accounts (id, name, signing_key) VALUES ('parent', 'p', 'k'), ('solo', 's', 'k')`);
    await sql(`INSERT INTO accounts (id, name, signing_key, parent_id) VALUES ('sub', 'sub', 'k', 'parent')`);
    decoders = new ReplayDecoders(2, new Map([['sub', 'parent']]));
  });

  afterAll(async () => {
    await decoders?.close();
    await pool?.end();
    await system?.stop();
  });

  it('decodes batches in worker threads: rows as COPY text, delivered ones skipped, invalid ones reported', async () => {
    const decoded = await decoders.decode(
      [
        record(7, attempt(1)),
        record(8, attempt(2, { outcome: 'delivered', http_status: 200, error_class: null, reason: null })),
        record(9, '{"attempt_id": 1}'),
        record(10, null),
        record(11, 'not json'),
      ],
      '11',
    );
    assert.equal(decoded.rows, 1);
    assert.equal(decoded.attempts, 2);
    expectEqual(
      decoded.invalid.map((i) => i.offset),
      ['9', '10', '11'],
    );
    assert.match(decoded.invalid[2].reason, /^not JSON/);
    const lines = Buffer.from(decoded.copy).toString('utf8').split('\n');
    assert.equal(lines.length, 2);
    const cells = lines[0].split('\t');
    assert.equal(cells.length, FAILURE_LOG_COLUMNS.length + 1);
    assert.equal(cells[FAILURE_LOG_COLUMNS.indexOf('primary_account_id')], 'parent');
    assert.equal(cells[FAILURE_LOG_COLUMNS.length], '11');
  });

  it('decodes v2 records in worker threads: delivered ones unread, failed ones without their job, final ones with it', async () => {
    const garbled = recordV2(21, attempt(2));
    const headBytes = Number(String(garbled.headers[HEADERS.headBytes]));
    garbled.value = Buffer.concat([garbled.value.subarray(0, headBytes), Buffer.from(',"job":{{{')]);
    const rejected = attempt(3, { outcome: 'rejected', http_status: 406 });
    const decoded = await decoders.decode(
      [
        recordV2(20, attempt(1)),
        garbled,
        {
          offset: '22',
          value: Buffer.from('not json'),
          headers: { [HEADERS.outcome]: Buffer.from('delivered') },
        },
        recordV2(23, rejected),
        recordV2(24, attempt(4, { outcome: 'dropped', error_class: 'schedule_exhausted' }), '{"url": 7}'),
        recordV2(25, attempt(5, { attempt: 0 })),
      ],
      '25',
    );
    expectEqual([decoded.rows, decoded.attempts], [3, 5]);
    expectEqual(
      decoded.rejected.map((r) => r.offset),
      ['24'],
    );
    assert.match(decoded.rejected[0].reason, /^failure log: job\./);
    expectEqual(
      decoded.invalid.map((r) => r.offset),
      ['25'],
    );
    const lines = Buffer.from(decoded.copy).toString('utf8').split('\n').slice(0, -1);
    const cells = lines.map((line) => line.split('\t'));
    const column = (name: (typeof FAILURE_LOG_COLUMNS)[number]) =>
      cells.map((c) => c[FAILURE_LOG_COLUMNS.indexOf(name)]);
    expectEqual(column('event_id'), ['evt-1', 'evt-2', 'evt-3']);
    expectEqual(column('final'), ['f', 'f', 't']);
    expectEqual(column('job').slice(0, 2), ['\\N', '\\N']);
    // COPY text doubles the JSON's backslashes.
    const job = JSON.parse(column('job')[2].replace(/\\\\/g, '\\')) as Record<string, unknown>;
    expectEqual([job.delivery_id, job.url], [rejected.job?.delivery_id, rejected.job?.url]);
  });

  it('loads what the live upsert writes: escaped text, U+0000 as U+FFFD, the later of a duplicate, primary accounts', async () => {
    const dup = attempt(4);
    const first = [
      attempt(1),
      attempt(2, { outcome: 'dropped', error_class: 'schedule_exhausted', account_id: null }),
      attempt(3, { outcome: 'rejected', http_status: 406, account_id: 'solo' }),
      { ...dup, reason: 'the earlier record' },
    ];
    // 'late' is a subaccount made after the decoders' snapshot.
    const second = [{ ...dup, reason: 'the later record' }, attempt(5, { account_id: 'late' })];
    await prepareTable(sql);
    const columns = [...FAILURE_LOG_COLUMNS, SEQ_COLUMN];
    const client = await pool.connect();
    try {
      for (const [batch, seq] of [
        [first, 100],
        [second, 200],
      ] as const) {
        const decoded = await decoders.decode(
          batch.map((a, i) => record(seq - batch.length + 1 + i, a)),
          String(seq),
        );
        assert.equal(decoded.invalid.length, 0);
        await copyText(client, REBUILD_TABLE, columns, decoded.copy);
      }
    } finally {
      client.release();
    }
    await sql(`INSERT INTO accounts (id, name, signing_key, parent_id) VALUES ('late', 'l', 'k', 'parent')`);
    assert.equal(await removeDuplicates(sql), 1);
    await refreshPrimaryAccounts(sql);
    await sql(`ALTER TABLE ${REBUILD_TABLE} DROP COLUMN ${SEQ_COLUMN}`);

    await sql(`CREATE TABLE live_reference (LIKE webhook_failures INCLUDING ALL)`);
    const rowsOf = (batch: DeliveryAttempt[]) => batch.map((a) => failureRowOf(a)).filter((r) => r !== null);
    await upsertRows(sql, 'live_reference', rowsOf(first) as FailureRow[]);
    await upsertRows(sql, 'live_reference', rowsOf(second) as FailureRow[]);

    const table = (name: string) =>
      sql<{ row: Record<string, unknown> }>(`SELECT to_jsonb(f) AS row FROM ${name} f ORDER BY attempt_id`);
    const loaded = (await table(REBUILD_TABLE)).map((r) => r.row);
    expectEqual(
      loaded,
      (await table('live_reference')).map((r) => r.row),
    );
    assert.equal(loaded.length, 5);

    const byEvent = new Map(loaded.map((r) => [r.event_id as string, r]));
    assert.equal(byEvent.get('evt-4')!.reason, 'the later record');
    assert.equal(byEvent.get('evt-1')!.reason, `HTTP 500: ${TRICKY.replace('\u0000', '\ufffd')}`);
    assert.equal(byEvent.get('evt-1')!.primary_account_id, 'parent');
    assert.equal(byEvent.get('evt-2')!.primary_account_id, null);
    assert.equal(byEvent.get('evt-3')!.primary_account_id, 'solo');
    assert.equal(byEvent.get('evt-5')!.primary_account_id, 'parent');
    const job = byEvent.get('evt-2')!.job as { event_data: Record<string, unknown> };
    assert.equal(job.event_data.note, TRICKY.replace('\u0000', '\ufffd'));
    expectEqual(job.event_data['key\ufffd'], ['\ufffd', '\\u0000']);
  });

  it('builds the indexes; duplicates, found by the unique key, are removed (the later row stays) and the key built again', async () => {
    const columns = [...FAILURE_LOG_COLUMNS, SEQ_COLUMN];
    const load = async (batches: Array<[DeliveryAttempt[], number]>) => {
      await prepareTable(sql);
      const client = await pool.connect();
      try {
        for (const [batch, seq] of batches) {
          const decoded = await decoders.decode(
            batch.map((a, i) => record(seq - batch.length + 1 + i, a)),
            String(seq),
          );
          await copyText(client, REBUILD_TABLE, columns, decoded.copy);
        }
      } finally {
        client.release();
      }
      const { primaryKey, copies } = await indexCopies(sql);
      const removed = await buildIndexes(sql, sql, primaryKey, copies);
      const indexes = await sql<{ n: string }>(
        `SELECT count(*) AS n FROM pg_indexes WHERE tablename = '${REBUILD_TABLE}'`,
      );
      const rows = await sql<{ event_id: string; reason: string }>(
        `SELECT event_id, reason FROM ${REBUILD_TABLE} ORDER BY event_id`,
      );
      return { removed, indexes: Number(indexes[0].n), rows, copies: copies.length + 1 };
    };

    const dup = attempt(4);
    const twice = await load([
      [[attempt(1), { ...dup, reason: 'the earlier record' }], 100],
      [[{ ...dup, reason: 'the later record' }], 200],
    ]);
    expectEqual([twice.removed, twice.indexes], [1, twice.copies]);
    expectEqual(twice.rows, [
      { event_id: 'evt-1', reason: `HTTP 500: ${TRICKY.replace('\u0000', '\ufffd')}` },
      { event_id: 'evt-4', reason: 'the later record' },
    ]);

    const once = await load([[[attempt(1), attempt(2)], 300]]);
    expectEqual([once.removed, once.indexes, once.rows.length], [0, once.copies, 2]);
  });
});
