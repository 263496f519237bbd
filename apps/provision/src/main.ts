/**
 * Provisioning: creates every topic of the design, sets min.insync.replicas on each, and applies the
 * database migrations. Idempotent: run by the local stack scripts, and by the Helm pre-install/pre-upgrade
 * Job (`node dist/apps/provision/src/main.js`). A program of its own, not a service: it runs to the end
 * (runTool, not bootstrapService: no Nest application, no HTTP server, no readiness, no SIGTERM stop).
 */
// First, before kafkajs loads (libs/kafka/src/preload.ts).
import '@hookpost/kafka/preload';
import { topicSpecs } from '@hookpost/contracts';
import { distinctDelays } from '@hookpost/domain';
import { ensureMinInsyncReplicas, ensureTopics } from '@hookpost/kafka';
import { runMigrations } from '@hookpost/persistence';
import { runTool } from '@hookpost/runtime';
import { provisionEnvShape } from './env';

runTool('provision', provisionEnvShape, async (env, kafka, logger) => {
  const specs = topicSpecs(env.KAFKA_TOPIC_PREFIX, distinctDelays(env.RETRY_SCHEDULE), env.TOPIC_PARTITIONS);
  const created = await ensureTopics(kafka, specs, { replicationFactor: env.KAFKA_REPLICATION_FACTOR });
  logger.info({ created }, `topics ready (${created.length} created)`);
  // acks=all waits for min.insync.replicas replicas: set on every topic, new or existing (upgrades).
  const minInsync = await ensureMinInsyncReplicas(
    kafka,
    specs.map((s) => s.name),
    env.KAFKA_MIN_INSYNC_REPLICAS,
  );
  logger.info({ changed: minInsync }, `min.insync.replicas set (${minInsync.length} topics changed)`);
  const applied = await runMigrations(env.DATABASE_URL);
  logger.info({ applied }, `migrations applied (${applied.length} new)`);
});
