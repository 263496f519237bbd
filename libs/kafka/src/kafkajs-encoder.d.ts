/** kafkajs' protocol encoder (not part of its typed API): what the record-encoding fix uses. */
declare module 'kafkajs/src/protocol/encoder' {
  class Encoder {
    constructor(initialSize?: number);
    buf: Buffer;
    offset: number;
    readonly buffer: Buffer;
    static sizeOfVarInt(value: number): number;
    static encodeZigZag(value: number): number;
    static sizeOfVarLong(value: number | bigint | object): number;
    static sizeOfVarIntBytes(value: Buffer | string | null | undefined): number;
    static nextPowerOfTwo(value: number): number;
    ensureAvailable(length: number): void;
    writeInt8(value: number): this;
    writeVarInt(value: number): this;
    writeUVarInt(value: number): this;
    writeVarLong(value: number | bigint | object): this;
    writeVarIntBytes(value: Buffer | string | null | undefined): this;
    writeVarIntString(value: string | null | undefined): this;
  }
  export = Encoder;
}
