import type { INestApplication, Type, DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { PinoNestLogger, stopTelemetry, stopWatchingRequires } from '@hookpost/telemetry';

export interface ServiceOptions {
  name: string;
  module: Type<unknown> | DynamicModule;
  host: string;
  port: number;
  logger: Logger;
  shutdownTimeoutMs: number;
  configure?: (app: INestApplication) => void;
  /**
   * Connects the service's other transports (`app.connectMicroservice(...)`); they start before the HTTP
   * server and stop with the application on SIGTERM.
   */
  microservices?: (app: INestApplication) => void;
}

/**
 * Starts a service's Nest application and its HTTP server (health, and the API for config), and stops
 * it cleanly on SIGTERM/SIGINT: Nest's shutdown hooks stop consumers and flush producers; exit code 0
 * (or the process.exitCode set before the signal).
 */
export async function runService(opts: ServiceOptions): Promise<INestApplication> {
  const { logger } = opts;
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  const app = await NestFactory.create(opts.module, {
    logger: new PinoNestLogger(logger),
    bodyParser: true,
  });
  opts.configure?.(app);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      // The code a stop was asked for with (70: a consumer died, or fan-out could not record), else 1.
      process.exit(typeof process.exitCode === 'number' && process.exitCode !== 0 ? process.exitCode : 1);
    }, opts.shutdownTimeoutMs + 5000);
    force.unref();
    app
      .close()
      .then(() => stopTelemetry()) // the last spans and metrics leave before the process does
      .then(() => {
        logger.info('stopped');
        // 0, unless the stop was asked for with another code (a consumer that died: 70).
        process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      })
      .catch((err) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (opts.microservices) {
    opts.microservices(app);
    await app.startAllMicroservices();
  }
  await app.listen(opts.port, opts.host);
  stopWatchingRequires(); // every module the telemetry instruments is loaded by now
  // The runtime in the line that says the service is up: which Node a pod or a test system really runs.
  logger.info({ port: opts.port, node: process.version }, `hookpost-${opts.name} listening`);
  return app;
}

/** A start-up failure (broker unreachable, ...): log it plainly and exit non-zero. */
export function exitOnStartupError(logger: Logger) {
  return (err: unknown) => {
    logger.fatal({ err }, 'failed to start');
    process.exit(1);
  };
}
