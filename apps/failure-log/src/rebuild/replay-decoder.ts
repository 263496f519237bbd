/**
 * The replay's decoder pool: worker threads (piscina) turning fetched batches of attempt records into
 * COPY text of failure rows. The fetching thread only packs what the workers read of each batch's values
 * (loggedPart) into one transferred buffer and streams the text it gets back to PostgreSQL.
 */
import { join } from 'node:path';
import type { IHeaders } from 'kafkajs';
import Piscina from 'piscina';
import { ATTEMPT_OUTCOMES } from '@hookpost/contracts';
import { loggedPart } from '@hookpost/domain';
import type { DecodedBatch, DecodeTask, DecoderData } from './replay-decoder.types';

export type { DecodedBatch } from './replay-decoder.types';

interface RecordLike {
  offset: string;
  value: Buffer | null;
  headers?: IHeaders;
}

export class ReplayDecoders {
  private readonly pool: Piscina<DecodeTask, DecodedBatch>;

  /** `subaccounts`: each subaccount's parent, to fill `primary_account_id` as the live upsert does. */
  constructor(threads: number, subaccounts: ReadonlyMap<string, string>) {
    const workerData: DecoderData = { subaccounts: [...subaccounts] };
    this.pool = new Piscina({
      filename: join(__dirname, 'replay-decoder.worker.js'),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      workerData,
    });
  }

  /** A batch's failure rows as COPY text, each line ending with `seq` (the batch's last offset). */
  decode(messages: readonly RecordLike[], seq: string): Promise<DecodedBatch> {
    const count = messages.length;
    const parts: Array<Buffer | null> = new Array(count);
    const outcomes = new Int8Array(count);
    const heads = new Uint8Array(count);
    let size = 0;
    for (let i = 0; i < count; i++) {
      // Only what the worker reads: a failed attempt's own fields, not the job that is most of it.
      const part = loggedPart(messages[i]);
      outcomes[i] = part.outcome === undefined ? -1 : ATTEMPT_OUTCOMES.indexOf(part.outcome);
      heads[i] = part.head ? 1 : 0;
      parts[i] = part.bytes;
      size += part.bytes?.length ?? 0;
    }
    const values = new ArrayBuffer(size);
    const bytes = new Uint8Array(values);
    const lengths = new Int32Array(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const part = parts[i];
      if (part === null) {
        lengths[i] = -1;
        continue;
      }
      bytes.set(part, at);
      lengths[i] = part.length;
      at += part.length;
    }
    const task: DecodeTask = { values, lengths, outcomes, heads, seq };
    const decoded = this.pool.run(task, {
      transferList: [values, lengths.buffer, outcomes.buffer, heads.buffer],
    });
    // The worker names records by their index in the batch: back to offsets.
    const offsetOf = (ref: { offset: string; reason: string }) => ({
      offset: messages[Number(ref.offset)].offset,
      reason: ref.reason,
    });
    return decoded.then((batch) => ({
      ...batch,
      invalid: batch.invalid.map(offsetOf),
      rejected: batch.rejected.map(offsetOf),
    }));
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
