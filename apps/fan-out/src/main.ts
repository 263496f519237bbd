import './tracing';
import 'reflect-metadata';
import { exitOnStartupError, loadEnvOrExit, runService } from '@hookpost/runtime';
import { createLogger } from '@hookpost/telemetry';
import { fanOutEnvProblems, fanOutEnvShape } from './env';
import { FanOutModule } from './fan-out.module';

const env = loadEnvOrExit('fan-out', fanOutEnvShape);
const problems = fanOutEnvProblems(env);
if (problems.length > 0) {
  process.stderr.write(
    `hookpost-fan-out: Invalid environment:\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
  );
  process.exit(78);
}
const logger = createLogger('fan-out', env.LOG_LEVEL);

runService({
  name: 'fan-out',
  module: FanOutModule.forRoot(env, logger),
  host: env.HTTP_HOST,
  port: env.HTTP_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(exitOnStartupError(logger));
