/**
 * Creates every topic of the design and applies the database migrations. Idempotent: run by the local
 * stack scripts, and by the Helm pre-install/pre-upgrade Job.
 */
import { z } from 'zod';
import { topicSpecs } from '@hookpost/contracts';
import { distinctDelays } from '@hookpost/domain';
import { createKafka, ensureTopics } from '@hookpost/kafka';
import { runMigrations } from '@hookpost/persistence';
import { commonEnvShape, loadEnvOrExit, postgresUrl, retrySchedule } from '@hookpost/runtime';
import { createLogger } from '@hookpost/telemetry';

const env = loadEnvOrExit('provision', {
  KAFKA_BROKERS: commonEnvShape.KAFKA_BROKERS,
  KAFKA_TOPIC_PREFIX: commonEnvShape.KAFKA_TOPIC_PREFIX,
  LOG_LEVEL: commonEnvShape.LOG_LEVEL,
  DATABASE_URL: postgresUrl,
  RETRY_SCHEDULE: retrySchedule,
  TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
});
const logger = createLogger('provision', env.LOG_LEVEL);

async function main() {
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'hookpost-provision', logger });
  const created = await ensureTopics(
    kafka,
    topicSpecs(env.KAFKA_TOPIC_PREFIX, distinctDelays(env.RETRY_SCHEDULE), env.TOPIC_PARTITIONS),
  );
  logger.info({ created }, `topics ready (${created.length} created)`);
  const applied = await runMigrations(env.DATABASE_URL);
  logger.info({ applied }, `migrations applied (${applied.length} new)`);
}

main().catch((err) => {
  logger.fatal({ err }, 'provisioning failed');
  process.exit(1);
});
