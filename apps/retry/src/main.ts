import './tracing';
import 'reflect-metadata';
import { exitOnStartupError, loadEnvOrExit, runService } from '@hookpost/runtime';
import { createLogger } from '@hookpost/telemetry';
import { retryEnvShape } from './env';
import { RetryModule } from './retry.module';

const env = loadEnvOrExit('retry', retryEnvShape);
const logger = createLogger('retry', env.LOG_LEVEL);

runService({
  name: 'retry',
  module: RetryModule.forRoot(env, logger),
  host: env.HTTP_HOST,
  port: env.HTTP_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(exitOnStartupError(logger));
