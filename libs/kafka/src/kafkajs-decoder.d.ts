/** kafkajs' protocol decoder and its 64-bit integer (not part of its typed API): what the record-decoding fix uses. */
declare module 'kafkajs/src/utils/long' {
  class Long {
    constructor(value: bigint);
    value: bigint;
    static fromValue(value: number | bigint | string | Long): Long;
    add(addend: Long | number | string): Long;
    toString(): string;
  }
  export = Long;
}

declare module 'kafkajs/src/protocol/decoder' {
  import Long from 'kafkajs/src/utils/long';
  class Decoder {
    constructor(buffer: Buffer);
    buffer: Buffer;
    offset: number;
    readInt8(): number;
    readInt32(): number;
    readInt64(): bigint;
    readVarInt(): number;
    readVarLong(): Long;
    readVarIntBytes(): Buffer | null;
    readVarIntString(): string | null;
  }
  export = Decoder;
}
