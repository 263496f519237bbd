/**
 * Creates every topic of the design and applies the database migrations. Idempotent: run by the local
 * stack scripts, and by the Helm pre-install/pre-upgrade Job.
 */
import { topicSpecs } from '@hookpost/contracts';
import { distinctDelays } from '@hookpost/domain';
import { createKafka, ensureTopics, kafkaSecurity } from '@hookpost/kafka';
import { runMigrations } from '@hookpost/persistence';
import { loadEnvOrExit } from '@hookpost/runtime';
import { createLogger } from '@hookpost/telemetry';
import { provisionEnvShape } from './provision-env';

const env = loadEnvOrExit('provision', provisionEnvShape);
const logger = createLogger('provision', env.LOG_LEVEL);

async function main() {
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS,
    security: kafkaSecurity(env),
    clientId: 'hookpost-provision',
    logger,
  });
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
