import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { KafkaModule, kafkaSecurity } from '@hookpost/kafka';
import { dataSourceOptions } from '@hookpost/persistence';
import { ENV, LOGGER, withHealth } from '@hookpost/runtime';
import { AccountsService } from './accounts/accounts.service';
import { AdminGuard } from './auth/admin.guard';
import { ApiKeyGuard } from './auth/api-key.guard';
import { CallersService } from './auth/callers.service';
import { RateLimitGuard } from './auth/rate-limit.guard';
import { REST_CONTROLLERS } from './controllers';
import type { ConfigEnv } from './env';
import { MailgunErrorFilter } from './errors';
import { FailureLogProjection } from './failure-log/failure-log-projection.service';
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
    return withHealth(
      {
        module: ConfigServiceModule,
        imports: [
          TypeOrmModule.forRoot({
            ...dataSourceOptions(env.DATABASE_URL, env.DATABASE_POOL_SIZE),
            retryAttempts: 3,
          }),
          KafkaModule.forRoot({
            brokers: env.KAFKA_BROKERS,
            security: kafkaSecurity(env),
            compression: env.KAFKA_COMPRESSION,
            clientId: 'hookpost-config',
            logger,
          }),
        ],
        controllers: [...REST_CONTROLLERS, ConfigGrpcController],
        providers: [
          { provide: ENV, useValue: env },
          { provide: LOGGER, useValue: logger },
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
          FailureLogProjection,
          FailureLogService,
        ],
      },
      {
        inject: [DataSource, FailureLogProjection],
        useFactory: (db: DataSource, failureLog: FailureLogProjection) => [
          {
            name: 'database',
            check: async () => {
              await db.query('SELECT 1');
              return { ok: true };
            },
          },
          failureLog.readiness(),
        ],
      },
    );
  }
}
