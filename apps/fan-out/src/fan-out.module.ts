import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { KafkaModule, kafkaSecurity } from '@hookpost/kafka';
import { ENV, LOGGER, withHealth } from '@hookpost/runtime';
import type { FanOutEnv } from './env';
import { FanOutService } from './fan-out.service';

@Module({})
export class FanOutModule {
  static forRoot(env: FanOutEnv, logger: Logger): DynamicModule {
    return withHealth(
      {
        module: FanOutModule,
        imports: [
          KafkaModule.forRoot({
            brokers: env.KAFKA_BROKERS,
            security: kafkaSecurity(env),
            compression: env.KAFKA_COMPRESSION,
            clientId: 'hookpost-fan-out',
            logger,
          }),
        ],
        providers: [{ provide: ENV, useValue: env }, { provide: LOGGER, useValue: logger }, FanOutService],
      },
      { inject: [FanOutService], useFactory: (service: FanOutService) => service.readiness() },
    );
  }
}
