/**
 * A worker thread of the replay's decoder pool (replay-decoder.ts): one fetched batch of attempt records
 * in, its failure rows as COPY text out, so that JSON parsing and validation, the most of a replay's
 * work, run beside the thread that fetches and writes.
 */
import { move, workerData } from 'piscina';
import { ATTEMPT_OUTCOMES } from '@hookpost/contracts';
import { partRecord, primaryIdOf, projectBatch, type AttemptRecord } from '@hookpost/domain';
import { copyBytes } from '../pg-text';
import { TransferredBatch, type DecodeTask, type DecoderData } from './replay-decoder.types';

const parents = new Map((workerData as DecoderData).subaccounts);
const primaryOf = (accountId: string) =>
  primaryIdOf({ id: accountId, parent_id: parents.get(accountId) ?? null });

/** Answers the batch's DecodedBatch, transferred (piscina's `move`). */
export default function decode(task: DecodeTask) {
  const bytes = Buffer.from(task.values);
  const messages: Array<AttemptRecord & { offset: string }> = [];
  let at = 0;
  for (let i = 0; i < task.lengths.length; i++) {
    const length = task.lengths[i];
    const code = task.outcomes[i];
    const record = partRecord({
      outcome: code < 0 ? undefined : ATTEMPT_OUTCOMES[code],
      bytes: length < 0 ? null : bytes.subarray(at, at + length),
      head: task.heads[i] === 1,
    });
    messages.push({ offset: String(i), ...record });
    at += Math.max(0, length);
  }
  const projected = projectBatch(messages);
  // Its own ArrayBuffer (a pooled Buffer would share the pool's slab, which cannot be transferred).
  const copy = copyBytes(projected.rows, primaryOf, task.seq);
  return move(
    new TransferredBatch({
      copy,
      rows: projected.rows.length,
      attempts: projected.attempts,
      invalid: projected.invalid,
      rejected: projected.rejected,
    }),
  );
}
