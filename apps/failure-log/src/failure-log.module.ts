import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { serviceModule } from '@hookpost/runtime';
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
    return serviceModule(FailureLogModule, 'failure-log', env, logger, {
      providers: [FailureLogProjection],
      readiness: {
        inject: [FailureLogProjection],
        useFactory: (projection: FailureLogProjection) => projection.readiness(),
      },
    });
  }
}
