import './tracing';
import 'reflect-metadata';
import { exitOnStartupError, loadEnvOrExit, runService } from '@hookpost/runtime';
import { createLogger } from '@hookpost/telemetry';
import { failureLogEnvShape } from './env';
import { FailureLogModule } from './failure-log.module';

const env = loadEnvOrExit('failure-log', failureLogEnvShape);
const logger = createLogger('failure-log', env.LOG_LEVEL);

runService({
  name: 'failure-log',
  module: FailureLogModule.forRoot(env, logger),
  host: env.HTTP_HOST,
  port: env.HTTP_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(exitOnStartupError(logger));
