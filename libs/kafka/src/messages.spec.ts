import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from '@jest/globals';
import type { KafkaMessage } from 'kafkajs';
import { HEADERS, SCHEMAS } from '@hookpost/contracts';
import { detachMessage, REJECTED_KEPT_BYTES, rejectedRecord } from './messages';
import { recordBatchBytes, type OutgoingRecord } from './producer';

describe('detachMessage', () => {
  it('copies key and value out of the buffer they share, and takes header values as text', () => {
    const response = Buffer.from('KEYVALUEH1H2H3');
    const message: KafkaMessage = {
      key: response.subarray(0, 3),
      value: response.subarray(3, 8),
      timestamp: '1',
      attributes: 0,
      offset: '42',
      headers: { a: response.subarray(8, 10), b: [response.subarray(10, 12), 'text'], c: undefined },
    };
    const own = detachMessage(message);
    response.fill(0);
    assert.equal(own.key?.toString(), 'KEY');
    assert.equal(own.value?.toString(), 'VALUE');
    assert.equal(own.headers?.a?.toString(), 'H1');
    assert.deepEqual(
      (own.headers?.b as Array<Buffer | string>).map((v) => v.toString()),
      ['H2', 'text'],
    );
    assert.equal(own.headers?.c, undefined);
    assert.deepEqual(own.headers, { a: 'H1', b: ['H2', 'text'], c: undefined });
    assert.equal(own.offset, '42');
  });

  it('keeps null key and value null', () => {
    const own = detachMessage({
      key: null,
      value: null,
      timestamp: '1',
      attributes: 0,
      offset: '1',
      size: 0,
    });
    assert.equal(own.key, null);
    assert.equal(own.value, null);
  });
});

describe('rejectedRecord', () => {
  const source = { topic: 'eu.mail.events', partition: 2 };
  const message = (value: Buffer): KafkaMessage => ({
    key: Buffer.from('mail-key'),
    value,
    timestamp: '1',
    attributes: 0,
    offset: '77',
    headers: { traceparent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01') },
  });
  const header = (r: OutgoingRecord, name: string) => r.message.headers?.[name]?.toString();

  it('given a record within the limit, then it keeps the original bytes, the reason and where it came from', () => {
    const value = Buffer.from('not json');
    const record = rejectedRecord('eu.mail.events.rejected', message(value), source, 'not JSON', 10_000);

    assert.equal(record.topic, 'eu.mail.events.rejected');
    assert.ok((record.message.value as Buffer).equals(value));
    assert.deepEqual(record.message.headers, {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      [HEADERS.schema]: SCHEMAS.rejectedMailEvent,
      [HEADERS.rejectReason]: 'not JSON',
      [HEADERS.sourceTopic]: 'eu.mail.events',
      [HEADERS.sourcePartition]: '2',
      [HEADERS.sourceOffset]: '77',
    });
    assert.ok(recordBatchBytes(record.message) <= 10_000);
  });

  it('given an original over the limit, then the record keeps the headers, the first KiB, the SHA-256 and size of the original, says so in the reason, and fits', () => {
    const value = randomBytes(3 * 1024 * 1024);
    const limit = 1024 * 1024;
    const record = rejectedRecord(
      'eu.mail.events.rejected',
      message(value),
      source,
      'message is too big',
      limit,
    );

    assert.ok(recordBatchBytes(record.message) <= limit);
    assert.ok((record.message.value as Buffer).equals(value.subarray(0, REJECTED_KEPT_BYTES)));
    assert.equal(String(record.message.key), 'mail-key');
    assert.equal(header(record, HEADERS.originalSha256), createHash('sha256').update(value).digest('hex'));
    assert.equal(header(record, HEADERS.originalBytes), String(value.length));
    assert.match(
      header(record, HEADERS.rejectReason) ?? '',
      /^message is too big; the record with the original \(\d+ bytes\) is over eu\.mail\.events\.rejected's limit of 1048576: its first 1024 bytes are kept/,
    );
    for (const name of [HEADERS.sourceTopic, HEADERS.sourcePartition, HEADERS.sourceOffset, 'traceparent']) {
      assert.ok(header(record, name), `${name} kept`);
    }
  });

  it('given no limit, then the original is kept whatever its size (callers that check elsewhere)', () => {
    const value = Buffer.alloc(3 * 1024 * 1024, 1);
    const record = rejectedRecord('t', message(value), source, 'why');
    assert.equal((record.message.value as Buffer).length, value.length);
  });
});
