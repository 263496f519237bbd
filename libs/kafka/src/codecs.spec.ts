import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from '@jest/globals';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { lz4Codec, registerCompressionCodecs, snappyCodec, zstdCodec } from './codecs';

/** Compressible records with some random bytes: what a batch of mail events looks like to a codec. */
const records = Buffer.concat(
  Array.from({ length: 200 }, (_, i) =>
    Buffer.concat([Buffer.from(`{"event":"delivered","n":${i},"r":"`), randomBytes(16), Buffer.from('"}')]),
  ),
);

describe('compression codecs', () => {
  const codecs = [
    ['LZ4', lz4Codec],
    ['Snappy', snappyCodec],
    ['ZSTD', zstdCodec],
  ] as const;
  for (const [name, codec] of codecs) {
    it(`given records, when ${name} compresses and decompresses them, then the same bytes come back, smaller in between`, async () => {
      const packed = await codec.compress({ buffer: records });
      assert.ok(packed.length < records.length, `${packed.length} < ${records.length}`);
      assert.ok((await codec.decompress(packed)).equals(records));
    });
  }

  it('given an LZ4 frame (magic 0x184D2204, what Kafka writes since format v1), when decompressed, then it is read', async () => {
    const frame = await lz4Codec.compress({ buffer: records });
    assert.equal(frame.readUInt32LE(0), 0x184d2204);
    assert.ok((await lz4Codec.decompress(frame)).equals(records));
  });

  it("given Snappy in xerial framing (Java's snappy-java), split in two chunks, when decompressed, then both chunks come back in order", async () => {
    const half = records.length >> 1;
    // kafkajs-snappy writes raw snappy: the blocks xerial framing wraps
    const chunk = async (b: Buffer) => {
      const packed = await snappyCodec.compress({ buffer: b });
      const size = Buffer.alloc(4);
      size.writeUInt32BE(packed.length);
      return Buffer.concat([size, packed]);
    };
    const header = Buffer.from([130, 83, 78, 65, 80, 80, 89, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    const framed = Buffer.concat([
      header,
      await chunk(records.subarray(0, half)),
      await chunk(records.subarray(half)),
    ]);
    assert.ok((await snappyCodec.decompress(framed)).equals(records));
  });

  it('given registration, then kafkajs finds a codec for every compression type, and registering again changes nothing', () => {
    registerCompressionCodecs();
    const lz4 = CompressionCodecs[CompressionTypes.LZ4]();
    registerCompressionCodecs();
    assert.equal(CompressionCodecs[CompressionTypes.LZ4](), lz4);
    assert.equal(CompressionCodecs[CompressionTypes.Snappy](), snappyCodec);
    assert.equal(CompressionCodecs[CompressionTypes.ZSTD](), zstdCodec);
    assert.ok(CompressionCodecs[CompressionTypes.GZIP]());
  });
});
