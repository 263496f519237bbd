import './tracing';
import 'reflect-metadata';
import { bootstrapService } from '@hookpost/runtime';
import { ConfigServiceModule } from './config.module';
import { CONSOLE_DIR, serveConsole } from './console';
import { configEnvProblems, configEnvShape, internalPortOf } from './env';
import { configGrpcOptions } from './grpc/grpc-options';
import { configureHttp, listenInternal, type InternalApiPorts } from './http-setup';

/** Where the internal API is served: its own sockets once it has a port of its own (INTERNAL_HTTP_PORT). */
const ports: InternalApiPorts = {};
/** Whether the web console was built (dist/apps/config/public), and so is served at `/`. */
let consoleServed = false;

bootstrapService({
  name: 'config',
  envShape: configEnvShape,
  envProblems: configEnvProblems,
  module: ConfigServiceModule.forRoot,
  configure: (app, env) => {
    if (internalPortOf(env) !== null) ports.internalSockets = new WeakSet();
    configureHttp(app, ports);
    consoleServed = serveConsole(app);
  },
  microservices: (app, env) => app.connectMicroservice(configGrpcOptions(env), { inheritAppConfig: true }),
  started: async (app, env, logger) => {
    if (!consoleServed) logger.warn({ dir: CONSOLE_DIR }, 'web console not built: / serves nothing');
    const port = internalPortOf(env);
    if (port === null) return;
    await listenInternal(app, ports, env.HTTP_HOST, port);
    logger.info({ port }, 'internal API listening');
  },
});
