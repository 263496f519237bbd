import './tracing';
import 'reflect-metadata';
import { createLogger } from '@hookpost/telemetry';
import { exitOnStartupError, loadEnvOrExit, runService } from '@hookpost/runtime';
import { configEnvShape } from './env';
import { ConfigServiceModule } from './config.module';
import { CONSOLE_DIR, serveConsole } from './console';
import { configureHttp, listenInternal, type InternalApiPorts } from './http-setup';
import { configGrpcOptions } from './grpc/grpc-options';

const env = loadEnvOrExit('config', configEnvShape);
const logger = createLogger('config', env.LOG_LEVEL);

const internalPort =
  env.INTERNAL_HTTP_PORT !== undefined && env.INTERNAL_HTTP_PORT !== env.HTTP_PORT
    ? env.INTERNAL_HTTP_PORT
    : null;
if (internalPort !== null && internalPort === env.GRPC_PORT) {
  process.stderr.write('hookpost-config: INTERNAL_HTTP_PORT: must differ from GRPC_PORT\n');
  process.exit(78);
}
const ports: InternalApiPorts = internalPort === null ? {} : { internalSockets: new WeakSet() };

runService({
  name: 'config',
  module: ConfigServiceModule.forRoot(env, logger),
  host: env.HTTP_HOST,
  port: env.HTTP_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  configure: (app) => {
    configureHttp(app, ports);
    if (!serveConsole(app)) logger.warn({ dir: CONSOLE_DIR }, 'web console not built: / serves nothing');
  },
  microservices: (app) => app.connectMicroservice(configGrpcOptions(env), { inheritAppConfig: true }),
})
  .then(async (app) => {
    if (internalPort === null) return;
    await listenInternal(app, ports, env.HTTP_HOST, internalPort);
    logger.info({ port: internalPort }, 'internal API listening');
  })
  .catch(exitOnStartupError(logger));
