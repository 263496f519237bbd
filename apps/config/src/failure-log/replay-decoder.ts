/**
 * The replay's decoder pool: worker threads (piscina) turning fetched batches of attempt records into
 * COPY text of failure rows. The fetching thread only packs each batch's values into one transferred
 * buffer and streams the text it gets back to PostgreSQL.
 */
import { join } from 'node:path';
import Piscina from 'piscina';
import type { DecodedBatch, DecodeTask, DecoderData } from './replay-decoder.types';

export type { DecodedBatch } from './replay-decoder.types';

interface RecordLike {
  offset: string;
  value: Buffer | null;
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
    let size = 0;
    for (const m of messages) size += m.value?.length ?? 0;
    const values = new ArrayBuffer(size);
    const bytes = new Uint8Array(values);
    const lengths = new Int32Array(messages.length);
    let at = 0;
    messages.forEach((m, i) => {
      if (m.value === null) {
        lengths[i] = -1;
        return;
      }
      bytes.set(m.value, at);
      lengths[i] = m.value.length;
      at += m.value.length;
    });
    const task: DecodeTask = { values, lengths, offsets: messages.map((m) => m.offset), seq };
    return this.pool.run(task, { transferList: [values, lengths.buffer] });
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
