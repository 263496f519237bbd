import './tracing';
import 'reflect-metadata';
import { exitOnStartupError, loadEnvOrExit, runService } from '@hookpost/runtime';
import { createLogger } from '@hookpost/telemetry';
import { fanOutEnvShape } from './env';
import { FanOutModule } from './fan-out.module';

const env = loadEnvOrExit('fan-out', fanOutEnvShape);
const logger = createLogger('fan-out', env.LOG_LEVEL);

runService({
  name: 'fan-out',
  module: FanOutModule.forRoot(env, logger),
  host: env.HTTP_HOST,
  port: env.HTTP_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(exitOnStartupError(logger));
