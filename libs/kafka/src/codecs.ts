import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';

/** What kafkajs asks of a codec: `compress` gets its encoder, `decompress` a batch's records. */
interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/**
 * LZ4 as Kafka writes it since message format v1: the LZ4 *frame* format (magic 0x184D2204), which Java's
 * client (KafkaLZ4BlockOutputStream) and librdkafka both write. lz4-napi (lz4_flex, prebuilt binaries, no
 * install script) reads and writes frames.
 *
 * Synchronously: a batch is at most a fetch's bytes (128 KiB per partition here), tens of microseconds of
 * LZ4, less than the hop to libuv's thread pool and back. On the pool, each of its four threads also
 * allocated the outputs in a malloc arena of its own: fan-out's peak RSS in the bench was 338 MB with the
 * pool, 297 MB without (one A/B pair), its V8 heap the same.
 */
export const lz4Codec: Codec = {
  compress: async (encoder) => compressFrameSync(encoder.buffer),
  decompress: async (buffer) => decompressFrameSync(buffer),
};

type ZstdZlib = {
  zstdCompress?: (buffer: Buffer, cb: (err: Error | null, out: Buffer) => void) => void;
  zstdDecompress?: (buffer: Buffer, cb: (err: Error | null, out: Buffer) => void) => void;
};
const zstdZlib = zlib as unknown as ZstdZlib;

function zstd(name: 'zstdCompress' | 'zstdDecompress'): (buffer: Buffer) => Promise<Buffer> {
  const fn = zstdZlib[name];
  if (!fn) {
    return () => Promise.reject(new Error(`ZSTD needs Node's zlib.${name} (Node 22.15 or later)`));
  }
  return promisify(fn.bind(zlib));
}

/** ZSTD from Node's own zlib (Node 22.15 and later): a standard zstd frame, as Kafka's clients write it. */
export const zstdCodec: Codec = {
  compress: (encoder) => zstd('zstdCompress')(encoder.buffer),
  decompress: (buffer) => zstd('zstdDecompress')(buffer),
};

/**
 * Snappy: kafkajs-snappy reads both raw snappy and the xerial framing that Java's client (snappy-java's
 * SnappyOutputStream) and librdkafka write.
 */
export const snappyCodec: Codec = SnappyCodec();

let registered = false;

/**
 * Registers LZ4, Snappy and ZSTD with kafkajs (GZIP is built in), once per process. kafkajs has only GZIP:
 * one batch compressed otherwise by a mail server (Java, librdkafka) made every consumer of it throw on
 * each fetch. The codecs are module-global in kafkajs, so every client of the process reads them.
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
  CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec;
  CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec;
}
