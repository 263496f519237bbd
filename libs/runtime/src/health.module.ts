import { Controller, Get, Inject, Req, Res, type DynamicModule, type Provider } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveMetrics } from '@hookpost/telemetry';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { READINESS } from './tokens';

export interface ReadinessResult {
  ok: boolean;
  details?: Record<string, unknown>;
}

/** One condition a service needs before it takes traffic (connected, caught up on config, ...). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<ReadinessResult> | ReadinessResult;
}

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS) private readonly checks: ReadinessCheck[],
  ) {}

  /** Alive: the process answers. */
  @Get('healthz')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Ready: every readiness check of the service holds. */
  @Get('readyz')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.checks.map((c) => async () => {
        const indicator = this.indicators.check(c.name);
        try {
          const result = await c.check();
          return result.ok ? indicator.up(result.details) : indicator.down(result.details);
        } catch (err) {
          return indicator.down({ error: (err as Error).message });
        }
      }),
    );
  }
}

/** Prometheus scrape endpoint of the process's OpenTelemetry metrics. */
@Controller()
export class MetricsController {
  @Get('metrics')
  metrics(@Req() req: IncomingMessage, @Res() res: ServerResponse) {
    serveMetrics(req, res);
  }
}

/** How a service provides its ReadinessCheck[] (a factory injecting its own providers). */
export type ReadinessProvider = Omit<Extract<Provider, { useFactory: unknown }>, 'provide'>;

/**
 * Adds `/healthz`, `/readyz` and `/metrics` to a service's root module; `readiness` provides its ReadinessCheck[]
 * from the module's own providers.
 */
export function withHealth(module: DynamicModule, readiness: ReadinessProvider): DynamicModule {
  return {
    ...module,
    imports: [...(module.imports ?? []), TerminusModule.forRoot({ logger: false })],
    controllers: [...(module.controllers ?? []), HealthController, MetricsController],
    providers: [...(module.providers ?? []), { provide: READINESS, ...readiness }],
  };
}
