#!/usr/bin/env node
// Local stack for development and tests, without Docker: a real single-node
// Kafka broker (127.0.0.1:9092) and a real PostgreSQL (127.0.0.1:55432).
// Runtime files (jars, data, logs, pids) live in .local/ at the repo root.
//
//   node scripts/stack.mjs up       start what is missing, print KAFKA_BROKERS / DATABASE_URL
//   node scripts/stack.mjs down     stop what these scripts started
//   node scripts/stack.mjs status   show what runs
//
// A service whose variable is already set (KAFKA_BROKERS, DATABASE_URL) is
// neither started nor stopped: the given value is used as is.
import { pathToFileURL } from 'node:url';
import { BROKERS, kafkaDown, kafkaStatus, kafkaUp } from './stack/kafka.mjs';
import { DATABASE_URL, postgresDown, postgresStatus, postgresUp } from './stack/postgres.mjs';

/**
 * Start (or reuse) the local Kafka broker and PostgreSQL server.
 * @param {{env?: Record<string, string | undefined>, kafkaTimeoutMs?: number}} [opts]
 * @returns {Promise<{KAFKA_BROKERS: string, DATABASE_URL: string, started: {kafka: boolean, postgres: boolean}}>}
 */
export async function stackUp({ env = process.env, kafkaTimeoutMs = 90_000 } = {}) {
  const [kafka, postgres] = await settleAll([
    env.KAFKA_BROKERS ? { started: false } : kafkaUp({ timeoutMs: kafkaTimeoutMs }),
    env.DATABASE_URL ? { started: false } : postgresUp(),
  ]);
  return {
    KAFKA_BROKERS: env.KAFKA_BROKERS || BROKERS,
    DATABASE_URL: env.DATABASE_URL || DATABASE_URL,
    started: { kafka: kafka.started, postgres: postgres.started },
  };
}

/** Stop the local broker and server if they run (idempotent). */
export async function stackDown() {
  const [kafka, postgres] = await settleAll([kafkaDown(), postgresDown()]);
  return { stopped: { kafka: kafka.stopped, postgres: postgres.stopped } };
}

export async function stackStatus() {
  const [kafka, postgres] = await Promise.all([kafkaStatus(), postgresStatus()]);
  return { kafka, postgres };
}

/** Like Promise.all, but waits for every task before throwing (the first error). */
async function settleAll(tasks) {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => r.value);
}

async function main(command) {
  switch (command) {
    case 'up': {
      const result = await stackUp();
      process.stdout.write(`KAFKA_BROKERS=${result.KAFKA_BROKERS}\nDATABASE_URL=${result.DATABASE_URL}\n`);
      break;
    }
    case 'down':
      await stackDown();
      process.stderr.write('[stack] down\n');
      break;
    case 'status': {
      const { kafka, postgres } = await stackStatus();
      process.stdout.write(`kafka:    ${kafka}\npostgres: ${postgres}\n`);
      break;
    }
    default:
      process.stderr.write('usage: node scripts/stack.mjs up|down|status\n');
      process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2]).catch((err) => {
    process.stderr.write(`[stack] ${err.message}\n`);
    process.exitCode = 1;
  });
}
