import { transferableSymbol, valueSymbol } from 'piscina';
import type { Projection } from '@hookpost/domain';

/** What the decoder workers start with: each subaccount's parent (a snapshot of `accounts`). */
export interface DecoderData {
  subaccounts: Array<[string, string]>;
}

/**
 * One batch for a worker: what the failure log reads of each record (loggedPart): the bytes back to back
 * (transferred), their lengths (-1: none), the outcome headers, whether the bytes stop at the job. The
 * records are named by their index in the batch (in `invalid` and `rejected` too).
 */
export interface DecodeTask {
  values: ArrayBuffer;
  lengths: Int32Array;
  /** Each record's outcome header: its index in ATTEMPT_OUTCOMES, -1 when absent (v1) or unknown. */
  outcomes: Int8Array;
  /** 1 where the bytes stop at the job (LoggedPart.head). */
  heads: Uint8Array;
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
