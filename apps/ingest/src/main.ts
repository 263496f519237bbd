import './tracing';
import 'reflect-metadata';
import { exitOnStartupError, loadEnvOrExit, runService } from '@hookpost/runtime';
import { createLogger } from '@hookpost/telemetry';
import { ingestEnvShape } from './env';
import { IngestModule } from './ingest.module';

const env = loadEnvOrExit('ingest', ingestEnvShape);
const logger = createLogger('ingest', env.LOG_LEVEL);

runService({
  name: 'ingest',
  module: IngestModule.forRoot(env, logger),
  host: env.HTTP_HOST,
  port: env.HTTP_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(exitOnStartupError(logger));
