import type { DynamicModule, INestApplication, ModuleMetadata, Provider, Type } from '@nestjs/common';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { kafkaNames } from '@hookpost/contracts';
import { KafkaModule, kafkaSecurity, type KafkaSecurityEnv, type ProduceCodec } from '@hookpost/kafka';
import { createLogger } from '@hookpost/telemetry';
import { exitOnStartupError, runService } from './bootstrap';
import { loadEnvOrExit } from './env';
import { withHealth, type ReadinessProvider } from './health.module';
import { ENV, LOGGER, NAMES } from './tokens';

/** What every service's environment holds: commonEnvShape and the service's HTTP_PORT. */
export interface ServiceEnv extends KafkaSecurityEnv {
  KAFKA_BROKERS: string[];
  KAFKA_TOPIC_PREFIX: string;
  KAFKA_COMPRESSION: ProduceCodec;
  LOG_LEVEL: string;
  HTTP_HOST: string;
  HTTP_PORT: number;
  SHUTDOWN_TIMEOUT_MS: number;
}

/** A shape whose environment is a ServiceEnv (checked where a service names its shape). */
export type ServiceEnvShape = z.ZodRawShape & { [K in keyof ServiceEnv]-?: z.ZodType<ServiceEnv[K]> };

type EnvOf<S extends z.ZodRawShape> = z.infer<z.ZodObject<S>>;

/** What a service's root module holds besides what every service has. */
export interface ServiceModuleParts {
  imports?: ModuleMetadata['imports'];
  controllers?: ModuleMetadata['controllers'];
  providers: Provider[];
  /** Its ReadinessCheck[] for /readyz, from its own providers. */
  readiness: ReadinessProvider;
}

/**
 * A service's root module: its parts, and what every service has: its environment (ENV), logger
 * (LOGGER) and Kafka names (NAMES: topics and groups under its KAFKA_TOPIC_PREFIX) to inject, the
 * process's Kafka client and producer (KafkaModule, client id `hookpost-<name>`), and `/healthz`,
 * `/readyz` and `/metrics`.
 */
export function serviceModule(
  module: Type<unknown>,
  name: string,
  env: ServiceEnv,
  logger: Logger,
  parts: ServiceModuleParts,
): DynamicModule {
  const kafka = KafkaModule.forRoot({
    brokers: env.KAFKA_BROKERS,
    security: kafkaSecurity(env),
    compression: env.KAFKA_COMPRESSION,
    clientId: `hookpost-${name}`,
    logger,
  });
  return withHealth(
    {
      module,
      imports: [...(parts.imports ?? []), kafka],
      controllers: parts.controllers ?? [],
      providers: [
        { provide: ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: NAMES, useValue: kafkaNames(env.KAFKA_TOPIC_PREFIX) },
        ...parts.providers,
      ],
    },
    parts.readiness,
  );
}

/** What a service's main.ts says about it; bootstrapService does the rest. */
export interface ServiceDefinition<S extends ServiceEnvShape> {
  /** `hookpost-<name>` in its logs and as its Kafka client (its tracing.ts names its telemetry). */
  name: string;
  envShape: S;
  /** Rules across variables the shape cannot say, each `VARIABLE: what is wrong` (exit 78 like the rest). */
  envProblems?: (env: EnvOf<S>) => string[];
  module: (env: EnvOf<S>, logger: Logger) => DynamicModule;
  /** Before the application starts: HTTP setup. */
  configure?: (app: INestApplication, env: EnvOf<S>) => void;
  /** Its other transports (gRPC), started before the HTTP server. */
  microservices?: (app: INestApplication, env: EnvOf<S>) => void;
  /** Once the HTTP server listens. */
  started?: (app: INestApplication, env: EnvOf<S>, logger: Logger) => Promise<void>;
}

/**
 * Starts a service process (after its tracing.ts, which must be the first import of its main.ts): the
 * environment validated (exit 78 naming each bad variable), the logger, the Nest application with its
 * HTTP server, a clean stop on SIGTERM (runService); a failed start is logged and exits 1.
 */
export function bootstrapService<S extends ServiceEnvShape>(service: ServiceDefinition<S>): void {
  const env = loadEnvOrExit(service.name, service.envShape, service.envProblems);
  const common = env as unknown as ServiceEnv; // what ServiceEnvShape guarantees of the shape
  const logger = createLogger(service.name, common.LOG_LEVEL);
  const { configure, microservices, started } = service;
  runService({
    name: service.name,
    module: service.module(env, logger),
    host: common.HTTP_HOST,
    port: common.HTTP_PORT,
    logger,
    shutdownTimeoutMs: common.SHUTDOWN_TIMEOUT_MS,
    configure: configure && ((app) => configure(app, env)),
    microservices: microservices && ((app) => microservices(app, env)),
  })
    .then((app) => started?.(app, env, logger))
    .catch(exitOnStartupError(logger));
}

/**
 * Starts a service's consumers once Nest has bootstrapped, without holding it up (its /healthz answers
 * meanwhile and /readyz says what is not ready yet); a start that fails is logged and exits 1.
 */
export function startInBackground(logger: Logger, start: () => Promise<unknown>): void {
  void start().catch(exitOnStartupError(logger));
}
