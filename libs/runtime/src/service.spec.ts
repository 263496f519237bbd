import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { Module, type Provider, type ValueProvider } from '@nestjs/common';
import { pino } from 'pino';
import type { KafkaNames } from '@hookpost/contracts';
import { KafkaModule } from '@hookpost/kafka';
import { commonEnvShape, parseEnv, port } from './env';
import { HealthController, MetricsController } from './health.module';
import { serviceModule } from './service';
import { ENV, LOGGER, NAMES, READINESS } from './tokens';

@Module({})
class SampleModule {}

@Module({})
class DatabaseModule {}

class SampleService {}

class SampleController {}

const env = parseEnv(
  { ...commonEnvShape, HTTP_PORT: port(8089) },
  { KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_TOPIC_PREFIX: 'eu-west.' },
);
const logger = pino({ level: 'silent' });

const valueOf = (providers: Provider[] | undefined, token: symbol): unknown =>
  (providers?.find((p) => (p as ValueProvider).provide === token) as ValueProvider | undefined)?.useValue;

describe('serviceModule', () => {
  const module = serviceModule(SampleModule, 'sample', env, logger, {
    imports: [DatabaseModule],
    controllers: [SampleController],
    providers: [SampleService],
    readiness: { useFactory: () => [] },
  });

  it('given a service, then its module provides its environment, logger and Kafka names under its prefix', () => {
    assert.equal(module.module, SampleModule);
    assert.equal(valueOf(module.providers, ENV), env);
    assert.equal(valueOf(module.providers, LOGGER), logger);
    const names = valueOf(module.providers, NAMES) as KafkaNames;
    assert.equal(names.topic('webhook.events'), 'eu-west.webhook.events');
    assert.equal(names.group('hookpost-sample'), 'eu-west.hookpost-sample');
    assert.ok(module.providers?.includes(SampleService));
  });

  it("given a service's own imports, then they come first, then the Kafka module, then health", () => {
    const imported = (module.imports ?? []).map((m) => ('module' in m ? m.module : m));
    assert.equal(imported[0], DatabaseModule);
    assert.equal(imported[1], KafkaModule);
    assert.equal(imported.length, 3); // and Terminus, for the health checks
  });

  it('given its controllers and readiness, then it also serves /healthz, /readyz and /metrics with its checks', () => {
    assert.deepEqual(module.controllers, [SampleController, HealthController, MetricsController]);
    assert.ok(module.providers?.some((p) => (p as { provide?: unknown }).provide === READINESS));
  });
});
