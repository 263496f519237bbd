import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { dataSourceOptions } from '@hookpost/persistence';
import { serviceModule } from '@hookpost/runtime';
import { AccountsService } from './accounts/accounts.service';
import { AdminGuard } from './auth/admin.guard';
import { ApiKeyGuard } from './auth/api-key.guard';
import { CallersService } from './auth/callers.service';
import { RateLimitGuard } from './auth/rate-limit.guard';
import { REST_CONTROLLERS } from './controllers';
import type { ConfigEnv } from './env';
import { MailgunErrorFilter } from './errors';
import { FailureLogService } from './failure-log/failure-log.service';
import { ConfigGrpcController } from './grpc/config-grpc.controller';
import { OutboxRelay } from './outbox/outbox-relay.service';
import { ProvisioningService } from './provisioning/provisioning.service';
import { SettingsService } from './settings/settings.service';
import { AccountWebhooksService } from './webhooks/account-webhooks.service';
import { DomainWebhooksService } from './webhooks/domain-webhooks.service';
import { WebhookTesterService } from './webhooks/webhook-tester.service';

@Module({})
export class ConfigServiceModule {
  static forRoot(env: ConfigEnv, logger: Logger): DynamicModule {
    return serviceModule(ConfigServiceModule, 'config', env, logger, {
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(env.DATABASE_URL, env.DATABASE_POOL_SIZE),
          retryAttempts: 3,
        }),
      ],
      controllers: [...REST_CONTROLLERS, ConfigGrpcController],
      providers: [
        { provide: APP_FILTER, useClass: MailgunErrorFilter },
        AdminGuard,
        ApiKeyGuard,
        RateLimitGuard,
        CallersService,
        OutboxRelay,
        ProvisioningService,
        DomainWebhooksService,
        WebhookTesterService,
        AccountWebhooksService,
        SettingsService,
        AccountsService,
        FailureLogService,
      ],
      readiness: {
        // The API's own needs: PostgreSQL. The failure log's projection is a service of its own
        // (apps/failure-log): a lagging read model does not take the API out of service.
        inject: [DataSource],
        useFactory: (db: DataSource) => [
          {
            name: 'database',
            check: async () => {
              await db.query('SELECT 1');
              return { ok: true };
            },
          },
        ],
      },
    });
  }
}
