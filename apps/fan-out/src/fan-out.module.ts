import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { serviceModule } from '@hookpost/runtime';
import type { FanOutEnv } from './env';
import { FanOutService } from './fan-out.service';

@Module({})
export class FanOutModule {
  static forRoot(env: FanOutEnv, logger: Logger): DynamicModule {
    return serviceModule(FanOutModule, 'fan-out', env, logger, {
      providers: [FanOutService],
      readiness: { inject: [FanOutService], useFactory: (service: FanOutService) => service.readiness() },
    });
  }
}
