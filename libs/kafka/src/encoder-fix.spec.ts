import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import Encoder from 'kafkajs/src/protocol/encoder';
// kafkajs' own record encoder, taken before any fix replaces it
// eslint-disable-next-line @typescript-eslint/no-require-imports -- internal, untyped module
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: unknown) => Encoder;
const originalWriteUVarInt = Encoder.prototype.writeUVarInt;
const originalWriteVarLong = Encoder.prototype.writeVarLong;
import { encodeRecord, fixRecordEncoding, type RecordFields } from './encoder-fix';

const bytes = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
);
const headerValue = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
);
const record: fc.Arbitrary<RecordFields> = fc.record({
  offsetDelta: fc.integer({ min: 0, max: 100_000 }),
  timestampDelta: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.maxSafeInteger()),
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.dictionary(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.oneof(headerValue, fc.array(headerValue, { minLength: 1, maxLength: 3 })),
    { maxKeys: 12 },
  ),
});

const written = (write: (e: Encoder) => void) => {
  const encoder = new Encoder();
  write(encoder);
  return encoder.buffer;
};

describe('encodeRecord', () => {
  it("given any record, when encoded, then the bytes are kafkajs' own", () => {
    fc.assert(
      fc.property(record, (fields) => {
        assert.deepEqual(encodeRecord(fields).buffer, kafkajsRecord(fields).buffer);
      }),
    );
  });

  it('given a 2.4 KiB value and ten headers, when encoded, then its buffer is exactly the record', () => {
    const headers = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`h-${i}`, `v${i}`]));
    const encoder = encodeRecord({ key: 'k', value: 'x'.repeat(2400), headers });
    assert.equal(encoder.buf.length, encoder.offset);
  });
});

describe('fixRecordEncoding', () => {
  it('given the fix, when varints and varlongs are written, then the bytes are those kafkajs wrote', () => {
    fixRecordEncoding();
    assert.notEqual(Encoder.prototype.writeUVarInt, originalWriteUVarInt);
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), (n) => {
        assert.deepEqual(
          written((e) => e.writeUVarInt(n)),
          written((e) => originalWriteUVarInt.call(e, n)),
        );
        assert.deepEqual(
          written((e) => e.writeVarInt(n | 0)),
          written((e) => originalWriteUVarInt.call(e, Encoder.encodeZigZag(n | 0))),
        );
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.maxSafeInteger()), (n) => {
        assert.deepEqual(
          written((e) => e.writeVarLong(n)),
          written((e) => originalWriteVarLong.call(e, n)),
        );
      }),
    );
  });

  it("given the fix in a service's process, when kafkajs encodes a produce request, then it is the same request, made with encodeRecord", () => {
    // In its own node process: the fix replaces a module in node's require cache, which jest does not use.
    const script = (fixed: boolean) => `
      Date.now = () => 1764000000000;
      ${fixed ? `require(${JSON.stringify(join(__dirname, 'encoder-fix.js'))}).fixRecordEncoding();` : ''}
      const produce = require('kafkajs/src/protocol/requests/produce/v3/request');
      const messages = Array.from({ length: 50 }, (_, i) => ({
        key: 'k' + i, value: 'v'.repeat(i * 40), timestamp: 1764000000000 + i,
        headers: { traceparent: '00-' + i, 'hookpost-schema': Buffer.from('s'), many: ['a', 'b'] },
      }));
      const request = produce({ acks: -1, timeout: 30000, topicData: [{ topic: 't', partitions: [
        { partition: 0, firstSequence: 0, messages }, { partition: 3, firstSequence: 7, messages: messages.slice(9) },
      ] }] });
      request.encode().then((e) => {
        const used = require('kafkajs/src/protocol/recordBatch/record/v0').name;
        process.stdout.write(JSON.stringify({ hex: e.buffer.toString('hex'), used }));
      });
    `;
    const run = (fixed: boolean) => {
      const out = spawnSync(process.execPath, ['-e', script(fixed)], { encoding: 'utf8', cwd: __dirname });
      assert.equal(out.status, 0, out.stderr);
      return JSON.parse(out.stdout) as { hex: string; used: string };
    };
    const [before, after] = [run(false), run(true)];
    assert.equal(after.used, 'encodeRecord');
    assert.equal(after.hex, before.hex);
  });
});
