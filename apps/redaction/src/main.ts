import './tracing';
import 'reflect-metadata';
import { exitOnStartupError, loadEnvOrExit, runService } from '@hookpost/runtime';
import { createLogger } from '@hookpost/telemetry';
import { redactionEnvShape } from './env';
import { RedactionModule } from './redaction.module';

const env = loadEnvOrExit('redaction', redactionEnvShape);
const logger = createLogger('redaction', env.LOG_LEVEL);

runService({
  name: 'redaction',
  module: RedactionModule.forRoot(env, logger),
  host: env.HTTP_HOST,
  port: env.HTTP_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(exitOnStartupError(logger));
