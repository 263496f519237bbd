import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { KafkaModule, kafkaSecurity } from '@hookpost/kafka';
import { ENV, LOGGER, withHealth } from '@hookpost/runtime';
import type { FailureLogEnv } from './env';
import { FailureLogProjection } from './projection.service';

/**
 * The failure-log service: the projection of `webhook.delivery-attempts` into the table the config API
 * reads, in its own process (its own replicas, its own readiness: a lagging read model never takes the
 * API out of service).
 */
@Module({})
export class FailureLogModule {
  static forRoot(env: FailureLogEnv, logger: Logger): DynamicModule {
    return withHealth(
      {
        module: FailureLogModule,
        imports: [
          KafkaModule.forRoot({
            brokers: env.KAFKA_BROKERS,
            security: kafkaSecurity(env),
            compression: env.KAFKA_COMPRESSION,
            clientId: 'hookpost-failure-log',
            logger,
          }),
        ],
        providers: [
          { provide: ENV, useValue: env },
          { provide: LOGGER, useValue: logger },
          FailureLogProjection,
        ],
      },
      {
        inject: [FailureLogProjection],
        useFactory: (projection: FailureLogProjection) => projection.readiness(),
      },
    );
  }
}
