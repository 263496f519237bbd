import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { CompressionTypes, ConfigResourceTypes, Partitioners, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { HEADERS, SCHEMAS, TOPICS } from '@hookpost/contracts';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { JAVA_CODECS, javaProduce } from '../support/java-producer';
import {
  parsePost,
  readinessDetails,
  seedFor,
  TopicCollector,
  type Collected,
  type SeedEvent,
} from '../support/pipeline';
import { waitFor } from '../support/processes';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

const DOMAIN = 'poison.example.com';
const MIB = 1024 * 1024;
/** provisioning's max.message.bytes of every topic (MAX_RECORD_BYTES) */
const TOPIC_LIMIT = 2 * MIB;
const PATH = '/poison/delivered';

/** A `delivered` event for DOMAIN with a fresh id tagged `tag`. */
const event = (tag: string): SeedEvent => seedFor('delivered', DOMAIN, tag);

/** The event's JSON with the value of `field` (a string placeholder) replaced by raw JSON text or bytes. */
function withRaw(e: SeedEvent, field: string, raw: string | Buffer): Buffer {
  e[field] = '@@RAW@@';
  const [head, tail] = JSON.stringify(e).split('"@@RAW@@"');
  return Buffer.concat([Buffer.from(head), Buffer.isBuffer(raw) ? raw : Buffer.from(raw), Buffer.from(tail)]);
}

describe('ingest: poison mail events and compressed batches never stall a partition', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let collector: TopicCollector;
  let producer: Producer;

  const posted = (id: string) => receiver.received(PATH).find((r) => parsePost(r)['event-data'].id === id);
  const waitPosted = (id: string, what: string, timeoutMs = 60_000) =>
    waitFor(() => posted(id), timeoutMs, what, 50);
  const rejectedAt = (partition: number, offset: string): Collected | undefined =>
    collector
      .on(TOPICS.mailEventsRejected)
      .find(
        (r) =>
          r.headers[HEADERS.sourcePartition]?.toString() === String(partition) &&
          r.headers[HEADERS.sourceOffset]?.toString() === offset,
      );
  const header = (r: Collected, name: string) => r.headers[name]?.toString();

  async function send(
    key: string,
    values: Array<string | Buffer>,
    compression = CompressionTypes.None,
  ): Promise<{ partition: number; offset: string }> {
    const [meta] = await producer.send({
      topic: system.topic(TOPICS.mailEvents),
      compression,
      messages: values.map((value) => ({ key, value })),
    });
    return { partition: meta.partition, offset: meta.baseOffset ?? '' };
  }

  beforeAll(async () => {
    receiver = await new Receiver().start();
    // The lone-surrogate event's endpoint refuses it (406): a final failure, whose row keeps the job (jsonb).
    receiver.respond = (r) => (parsePost(r)['event-data'].id.startsWith('lone-') ? 406 : 200);
    system = await TestSystem.start();
    collector = await TopicCollector.start(system, [TOPICS.mailEventsRejected]);
    producer = system.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const account = await system.admin('/internal/v1/accounts', { name: 'Poison' });
    await system.addDomain(account, DOMAIN, [['delivered', receiver.url(PATH)]]);
    await system.configPropagated();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await collector?.stop();
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('reads batches compressed with every Kafka codec: gzip, snappy, lz4 and zstd from the Java client, gzip from kafkajs; every event is delivered', async () => {
    const sent: Array<{ codec: string; ids: string[] }> = [];
    for (const codec of JAVA_CODECS) {
      const events = [1, 2, 3].map(() => event(`java-${codec}`));
      await javaProduce(
        system.env.KAFKA_BROKERS,
        system.topic(TOPICS.mailEvents),
        codec,
        `java-${codec}`,
        events.map((e) => JSON.stringify(e)),
      );
      sent.push({ codec: `java ${codec}`, ids: events.map((e) => e.id) });
    }
    const gzip = [1, 2, 3].map(() => event('kafkajs-gzip'));
    await send(
      'kafkajs-gzip',
      gzip.map((e) => JSON.stringify(e)),
      CompressionTypes.GZIP,
    );
    sent.push({ codec: 'kafkajs gzip', ids: gzip.map((e) => e.id) });

    for (const { codec, ids } of sent) {
      for (const id of ids) await waitPosted(id, `${codec}: ${id} POSTed`);
    }
    assert.equal((await fetch(`${system.service('ingest').url}/healthz`)).status, 200);
  });

  it('rejects each poison with its reason, delivers the valid event behind it on the same partition, and ingest neither exits nor loops', async () => {
    const before = await readinessDetails(system, 'ingest', 'consumer');
    const poisons: Array<{
      name: string;
      key: string;
      value: Buffer;
      compression?: CompressionTypes;
      reason: RegExp;
    }> = [];

    // A gzip batch whose one record unpacks to 3 MiB: under the broker's limit packed, over every limit unpacked.
    const big = event('gzip-bomb');
    big['x-padding'] = 'x'.repeat(3 * MIB);
    poisons.push({
      name: 'a gzip batch that unpacks to 3 MiB',
      key: 'poison-gzip',
      value: Buffer.from(JSON.stringify(big)),
      compression: CompressionTypes.GZIP,
      reason: new RegExp(
        `^message is ${3 * MIB + JSON.stringify({ ...big, 'x-padding': '' }).length} bytes, more than ${MIB}.*first 1024 bytes are kept`,
      ),
    });

    // 200,000 numbers `1e20` (5 bytes each with the comma): under 1 MiB, 4.4 MB written again.
    const numbers = withRaw(event('numbers'), 'x-numbers', `[${Array(200_000).fill('1e20').join(',')}]`);
    assert.ok(numbers.length < MIB);
    poisons.push({
      name: '1e20 numbers that grow fivefold when written again',
      key: 'poison-numbers',
      value: numbers,
      reason: /as written again .*more than 1048576/,
    });

    // 750,000 bytes that are not UTF-8: each becomes U+FFFD, 3 bytes.
    const latin1 = withRaw(
      event('latin1'),
      'x-latin1',
      Buffer.concat([Buffer.from('"'), Buffer.alloc(750_000, 0xe9), Buffer.from('"')]),
    );
    assert.ok(latin1.length < MIB);
    poisons.push({
      name: 'invalid UTF-8 that grows when replaced',
      key: 'poison-utf8',
      value: latin1,
      reason: /as written again .*more than 1048576/,
    });

    // Near 1 MiB, with an id and a message-id of half a MiB each: the normalised record repeats both
    // beside the event-data, and 2,000 `1e20` add the rest: over 2 MiB.
    const envelope = event('x');
    const half = Math.floor((MIB - JSON.stringify(envelope).length - 12_000) / 2);
    envelope.id = `envelope-${'e'.repeat(half)}`;
    (envelope.message.headers as Record<string, unknown>)['message-id'] = `${'m'.repeat(half)}@poison`;
    const grown = withRaw(envelope, 'x-numbers', `[${Array(2_000).fill('1e20').join(',')}]`);
    assert.ok(grown.length <= MIB, `${grown.length} bytes`);
    const asBefore = Buffer.byteLength(JSON.stringify(JSON.parse(grown.toString()))) + 2 * half;
    assert.ok(asBefore > TOPIC_LIMIT, `the normalised record as it was made is over the limit: ${asBefore}`);
    poisons.push({
      name: 'an event near 1 MiB whose normalised record grows past the limit',
      key: 'poison-envelope',
      value: grown,
      reason: /^id is \d+ characters, more than 256/,
    });

    const sent = [];
    for (const poison of poisons) {
      const follower = event(`after-${poison.key}`);
      // The poison and a valid event in one produce request: one batch (compressed together for gzip).
      const at = await send(poison.key, [poison.value, JSON.stringify(follower)], poison.compression);
      sent.push({ ...poison, ...at, follower });
    }
    // Small valid numbers in every form are delivered as the numbers they are.
    const forms = event('number-forms');
    const formsBytes = withRaw(forms, 'x-numbers', '[1e20,1e-7,0.1e1,-0,1E+2,12.50]');
    await send('number-forms', [formsBytes]);

    for (const s of sent) await waitPosted(s.follower.id, `${s.name}: the valid event behind it`);
    const numbersPost = await waitPosted(forms.id, 'the small event with numbers in every form');
    expectEqual(parsePost(numbersPost)['event-data']['x-numbers'], [1e20, 1e-7, 1, 0, 100, 12.5]);

    for (const s of sent) {
      const rejected = await waitFor(() => rejectedAt(s.partition, s.offset), 30_000, `${s.name}: rejected`);
      assert.match(header(rejected, HEADERS.rejectReason) ?? '', s.reason, s.name);
      assert.equal(header(rejected, HEADERS.schema), SCHEMAS.rejectedMailEvent);
      assert.equal(header(rejected, HEADERS.sourceTopic), system.topic(TOPICS.mailEvents));
      assert.equal(rejected.key?.toString(), s.key);
      const size = (rejected.value?.length ?? 0) + JSON.stringify(rejected.headers).length;
      assert.ok(size < TOPIC_LIMIT, `${s.name}: the rejected record fits`);
      if (s.value.length + 1024 <= TOPIC_LIMIT) {
        assert.ok(rejected.value?.equals(s.value), `${s.name}: rejected with its original bytes`);
      } else {
        // Too large to keep whole: the first KiB, the SHA-256 and the size of the original.
        assert.ok(rejected.value?.equals(s.value.subarray(0, 1024)), `${s.name}: its first KiB`);
        assert.equal(
          header(rejected, HEADERS.originalSha256),
          createHash('sha256').update(s.value).digest('hex'),
        );
        assert.equal(header(rejected, HEADERS.originalBytes), String(s.value.length));
      }
    }
    const after = await readinessDetails(system, 'ingest', 'consumer');
    // Counters of the same process: a restart would have reset them, a loop would have counted more.
    assert.equal(
      Number(after.rejected) - Number(before.rejected),
      poisons.length,
      'each poison rejected once',
    );
    assert.equal(
      Number(after.accepted) - Number(before.accepted),
      poisons.length + 1,
      'each valid event once',
    );
  });

  it('a lone surrogate is delivered well-formed (and its failure row is written); an over-long id is rejected with the reason', async () => {
    // `\ud800` and `\udc00` escapes: lone surrogates, in a value, in a key and in the message-id.
    const lone = event('lone');
    lone['x-subject'] = 'before @@S1@@ after';
    lone['@@K@@'] = 'key with a lone surrogate';
    (lone.message.headers as Record<string, unknown>)['message-id'] = '@@S2@@@poison';
    const loneBytes = Buffer.from(
      JSON.stringify(lone)
        .replace('@@S1@@', '\\ud800')
        .replace('@@K@@', 'x-\\udc00')
        .replace('@@S2@@', 'id-\\udbff'),
    );
    const longId = event('long');
    longId.id = `long-${'i'.repeat(295)}`;
    const at = await send('item-8', [loneBytes, JSON.stringify(longId)]);
    const after = event('after-item-8');
    await send('item-8', [JSON.stringify(after)]);

    const request = await waitPosted(lone.id, 'the lone-surrogate event');
    assert.doesNotMatch(request.body, /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/, 'no surrogate escape in the POST');
    const data = parsePost(request)['event-data'];
    assert.equal(data['x-subject'], 'before \ufffd after');
    assert.equal(data['x-\ufffd'], 'key with a lone surrogate');
    assert.equal(
      (data.message as { headers: Record<string, string> }).headers['message-id'],
      'id-\ufffd@poison',
    );
    await waitPosted(after.id, 'the event behind the over-long id');

    const rejected = await waitFor(
      () => rejectedAt(at.partition, String(Number(at.offset) + 1)),
      30_000,
      'the over-long id rejected',
    );
    assert.equal(header(rejected, HEADERS.rejectReason), 'id is 300 characters, more than 256');
    assert.ok(rejected.value?.equals(Buffer.from(JSON.stringify(longId))));
    assert.equal(posted(longId.id), undefined, 'the over-long id is not delivered');

    // The 406 is a final failure: its row keeps the job (jsonb, which refuses a lone surrogate).
    const db = new Client({ connectionString: system.env.DATABASE_URL });
    await db.connect();
    try {
      const row = await waitFor(
        async () =>
          (
            await db.query<{ message_id: string; outcome: string }>(
              'SELECT message_id, outcome FROM webhook_failures WHERE event_id = $1',
              [lone.id],
            )
          ).rows[0],
        60_000,
        'the failure row of the lone-surrogate event',
        200,
      );
      expectEqual(row, { message_id: 'id-\ufffd@poison', outcome: 'rejected' });
    } finally {
      await db.end();
    }
  });

  it('learns the limit of webhook.events from the broker at start-up: a normalised record over it is rejected, and the event behind it delivered', async () => {
    const admin = system.kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: system.topic(TOPICS.webhookEvents),
            configEntries: [{ name: 'max.message.bytes', value: String(MIB) }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    await system.service('ingest').stop();
    await (await system.startService('ingest')).waitReady();

    // An event of exactly 1 MiB: valid, but its normalised record is over webhook.events' 1 MiB now.
    const max = event('max');
    max['x-padding'] = '';
    max['x-padding'] = 'p'.repeat(MIB - Buffer.byteLength(JSON.stringify(max)));
    const bytes = Buffer.from(JSON.stringify(max));
    assert.equal(bytes.length, MIB);
    const follower = event('after-max');
    const at = await send('over-limit', [bytes, JSON.stringify(follower)]);

    await waitPosted(follower.id, 'the event behind the over-limit one');
    const rejected = await waitFor(
      () => rejectedAt(at.partition, at.offset),
      30_000,
      'the 1 MiB event rejected',
    );
    assert.match(
      header(rejected, HEADERS.rejectReason) ?? '',
      new RegExp(
        `^normalised record is \\d+ bytes, over ${system.topic(TOPICS.webhookEvents)}'s max.message.bytes of ${MIB}$`,
      ),
    );
    assert.ok(rejected.value?.equals(bytes), 'rejected with its original bytes');
    assert.equal(posted(max.id), undefined);
  });
});
