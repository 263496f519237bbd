import { transferableSymbol, valueSymbol } from 'piscina';
import type { Projection } from './failure-log';

/** What the decoder workers start with: each subaccount's parent (a snapshot of `accounts`). */
export interface DecoderData {
  subaccounts: Array<[string, string]>;
}

/** One batch for a worker: the record values back to back (transferred), their lengths (-1: null). */
export interface DecodeTask {
  values: ArrayBuffer;
  lengths: Int32Array;
  offsets: string[];
  /** The replay's ordering key of the batch's rows (its last offset): a later record of an attempt wins. */
  seq: string;
}

/** A batch's failure rows as COPY text, and what was read. */
export interface DecodedBatch extends Projection {
  copy: Uint8Array;
  /** Failure rows in `copy`. */
  rows: number;
}

/** A DecodedBatch whose COPY text is transferred to the pool's caller, not copied. */
export class TransferredBatch {
  constructor(private readonly batch: DecodedBatch) {}

  get [transferableSymbol](): ArrayBufferLike[] {
    return [this.batch.copy.buffer];
  }

  get [valueSymbol](): DecodedBatch {
    return this.batch;
  }
}
