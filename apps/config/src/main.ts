import './tracing';
import 'reflect-metadata';
import { createLogger } from '@hookpost/telemetry';
import { exitOnStartupError, loadEnvOrExit, runService } from '@hookpost/runtime';
import { configEnvShape } from './env';
import { ConfigServiceModule } from './config.module';
import { configureHttp } from './http-setup';
import { configGrpcOptions } from './grpc/grpc-options';

const env = loadEnvOrExit('config', configEnvShape);
const logger = createLogger('config', env.LOG_LEVEL);

runService({
  name: 'config',
  module: ConfigServiceModule.forRoot(env, logger),
  host: env.HTTP_HOST,
  port: env.HTTP_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  configure: configureHttp,
  microservices: (app) => app.connectMicroservice(configGrpcOptions(env), { inheritAppConfig: true }),
}).catch(exitOnStartupError(logger));
