/** kafkajs' protocol encoder and record encoding (not part of its typed API): what encoder-fix.ts touches. */
declare module 'kafkajs/src/protocol/encoder' {
  class Encoder {
    constructor(initialSize?: number);
    buf: Buffer;
    offset: number;
    readonly buffer: Buffer;
    static encodeZigZag(value: number): number;
    static sizeOfVarInt(value: number): number;
    static sizeOfVarLong(value: unknown): number;
    static sizeOfVarIntBytes(value: Buffer | string | null | undefined): number;
    ensureAvailable(length: number): void;
    writeInt8(value: number): this;
    writeVarInt(value: number): this;
    writeUVarInt(value: number): this;
    writeVarLong(value: unknown): this;
    writeVarIntString(value: string | null | undefined): this;
    writeVarIntBytes(value: Buffer | string | null | undefined): this;
  }
  export = Encoder;
}

declare module 'kafkajs/src/protocol/recordBatch/record/v0' {
  import type Encoder from 'kafkajs/src/protocol/encoder';
  function Record(record: {
    offsetDelta?: number;
    timestampDelta?: number;
    key?: Buffer | string | null;
    value?: Buffer | string | null;
    headers?: Record<string, Buffer | string | null | Array<Buffer | string | null>>;
  }): Encoder;
  export = Record;
}
