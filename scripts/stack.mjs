#!/usr/bin/env node
// Local stack for development and tests, without Docker: a real single-node
// Kafka broker (127.0.0.1:9092) and a real PostgreSQL (127.0.0.1:55432).
// Runtime files (jars, data, logs, pids) live in .local/ at the repo root.
//
//   node scripts/stack.mjs up       start what is missing, print KAFKA_BROKERS / DATABASE_URL
//   node scripts/stack.mjs down     stop what these scripts started
//   node scripts/stack.mjs status   show what runs
//   node scripts/stack.mjs kafka-up|kafka-down|postgres-up|postgres-down
//                                   one component (the chaos test restarts them)
//   --instance chaos                the chaos test's own broker (127.0.0.1:19092) and server (:55433),
//                                   in .local/chaos/, beside the default stack
//   --instance logs                 the log-secrets test's own server (:55447; broker :29092, unused),
//                                   in .local/logs/
//
// A service whose variable is already set (KAFKA_BROKERS, DATABASE_URL) is
// neither started nor stopped: the given value is used as is.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { kafkaStack } from './stack/kafka.mjs';
import { postgresStack } from './stack/postgres.mjs';
import { LOCAL } from './stack/util.mjs';

/** The default stack: .local/kafka on 9092, .local/pg on 55432. */
const local = { kafka: kafkaStack(), postgres: postgresStack() };

/** Stacks other than the default one, by name: their own folders and ports. */
const INSTANCES = {
  chaos: () => ({
    kafka: kafkaStack({ dir: join(LOCAL, 'chaos', 'kafka'), port: 19092, controllerPort: 19093 }),
    postgres: postgresStack({ dir: join(LOCAL, 'chaos', 'pg'), port: 55433 }),
  }),
  // The log-secrets test stops its PostgreSQL (it uses the shared broker: only `postgres-*` of this one).
  logs: () => ({
    kafka: kafkaStack({ dir: join(LOCAL, 'logs', 'kafka'), port: 29092, controllerPort: 29093 }),
    postgres: postgresStack({ dir: join(LOCAL, 'logs', 'pg'), port: 55447 }),
  }),
};

/**
 * Start (or reuse) the local Kafka broker and PostgreSQL server.
 * @param {{env?: Record<string, string | undefined>, kafkaTimeoutMs?: number}} [opts]
 * @returns {Promise<{KAFKA_BROKERS: string, DATABASE_URL: string, started: {kafka: boolean, postgres: boolean}}>}
 */
export async function stackUp({ env = process.env, kafkaTimeoutMs = 90_000 } = {}) {
  const [kafka, postgres] = await settleAll([
    env.KAFKA_BROKERS ? { started: false } : local.kafka.up({ timeoutMs: kafkaTimeoutMs }),
    env.DATABASE_URL ? { started: false } : local.postgres.up(),
  ]);
  return {
    KAFKA_BROKERS: env.KAFKA_BROKERS || local.kafka.brokers,
    DATABASE_URL: env.DATABASE_URL || local.postgres.databaseUrl,
    started: { kafka: kafka.started, postgres: postgres.started },
  };
}

/** Stop the local broker and server if they run (idempotent). */
export async function stackDown() {
  const [kafka, postgres] = await settleAll([local.kafka.down(), local.postgres.down()]);
  return { stopped: { kafka: kafka.stopped, postgres: postgres.stopped } };
}

export async function stackStatus() {
  const [kafka, postgres] = await Promise.all([local.kafka.status(), local.postgres.status()]);
  return { kafka, postgres };
}

/** Like Promise.all, but waits for every task before throwing (the first error). */
async function settleAll(tasks) {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => r.value);
}

async function main(command, instanceName) {
  if (instanceName) {
    const make = INSTANCES[instanceName];
    if (!make)
      throw new Error(`unknown instance '${instanceName}' (known: ${Object.keys(INSTANCES).join(', ')})`);
    return component(command, make());
  }
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
      return component(command, local);
  }
}

/** The commands on one stack's components. */
async function component(command, { kafka, postgres }) {
  switch (command) {
    case 'up':
      await settleAll([kafka.up(), postgres.up()]);
      process.stdout.write(`KAFKA_BROKERS=${kafka.brokers}\nDATABASE_URL=${postgres.databaseUrl}\n`);
      return;
    case 'down':
      await settleAll([kafka.down(), postgres.down()]);
      return;
    case 'status':
      process.stdout.write(`kafka:    ${await kafka.status()}\npostgres: ${await postgres.status()}\n`);
      return;
    default: {
      const one = /^(kafka|postgres)-(up|down)$/.exec(command ?? '');
      if (one) {
        await { kafka, postgres }[one[1]][one[2]]();
        return;
      }
      process.stderr.write(
        'usage: node scripts/stack.mjs up|down|status|kafka-up|kafka-down|postgres-up|postgres-down [--instance chaos]\n',
      );
      process.exitCode = 2;
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2], instanceArg(process.argv.slice(3))).catch((err) => {
    process.stderr.write(`[stack] ${err.message}\n`);
    process.exitCode = 1;
  });
}

function instanceArg(args) {
  const i = args.indexOf('--instance');
  return i >= 0 ? args[i + 1] : undefined;
}
