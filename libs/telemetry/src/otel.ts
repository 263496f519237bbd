import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from 'node:module';
import { createNoopMeter } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { setSpansRecorded } from './recording';
import { propagateToUndiciRequests } from './trace-context';

/** Paths that are probes, not traffic: no spans for them. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

let sdk: NodeSDK | null = null;
let prometheus: PrometheusExporter | null = null;
/** How modules were loaded before the instrumentations hooked `require` (see stopWatchingRequires). */
let unwatched: {
  require: (id: string) => unknown;
  getBuiltinModule: typeof process.getBuiltinModule;
} | null = null;

/** Whether an OTLP endpoint is configured for a signal (the standard variables). */
function otlpConfigured(signal: 'TRACES' | 'METRICS', env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]);
}

/**
 * OpenTelemetry for one service, started before anything else is loaded (each main.ts imports its
 * tracing.ts first) so that http, undici, pg, grpc and pino are instrumented. Configured only by the
 * standard OTEL_* variables: spans and metrics leave over OTLP only when an OTLP endpoint is set
 * (`OTEL_SDK_DISABLED=true` turns it all off). W3C trace context flows through Kafka and onto outgoing
 * webhooks either way: without an endpoint no span is made per message (spansRecorded), the context is
 * passed on as it came. Metrics are also served for Prometheus at `/metrics`.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (sdk || env.OTEL_SDK_DISABLED === 'true') return;
  env.OTEL_SERVICE_NAME ??= serviceName;
  // Before any instrumentation is made: the first one made hooks require (require-in-the-middle).
  unwatched = { require: Module.prototype.require, getBuiltinModule: process.getBuiltinModule };
  const spanProcessors: SpanProcessor[] = otlpConfigured('TRACES', env)
    ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })]
    : [];
  setSpansRecorded(spanProcessors.length > 0);
  prometheus = new PrometheusExporter({ preventServerStart: true });
  const metricReaders: MetricReader[] = [prometheus];
  if (otlpConfigured('METRICS', env)) {
    const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000; // the standard variable
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(interval, Number(env.OTEL_METRIC_EXPORT_TIMEOUT) || 30_000),
      }),
    );
  }
  // Without recorded spans the POSTs need only the trace context on their headers, which
  // propagateToUndiciRequests puts there; the instrumentation would also parse each request's URL and
  // headers and build attribute objects for a span that goes nowhere.
  const undici = spanProcessors.length > 0 ? new UndiciInstrumentation() : null;
  sdk = new NodeSDK({
    // Without an OTLP endpoint no tracer provider is registered: spans cost nothing, and the W3C
    // context still flows (extract -> inject passes the incoming trace on unchanged).
    spanProcessors,
    metricReaders,
    logRecordProcessors: [], // logs go to stdout as JSON lines (pino), with trace ids on each line
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]),
      }),
      ...(undici ? [undici] : []),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new GrpcInstrumentation(),
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  // undici's spans carry each POST's trace context; its `http.client.request.duration` metric does not
  // stay: it carries `server.address` and `server.port`, one series per customer endpoint without bound
  // (`hookpost_delivery_duration` measures the same POSTs by outcome). A no-op meter also spares every
  // POST the SDK's attribute hashing.
  if (undici) undici.setMeterProvider({ getMeter: () => createNoopMeter() });
  else propagateToUndiciRequests();
}

/**
 * Ends the instrumentations' watch on `require` (require-in-the-middle), once the service has started:
 * the modules it instruments (http, pg, grpc, pino) are loaded by then and stay instrumented. The watch
 * resolves the path of every later `require` call to see whether it loads one of them, and kafkajs
 * requires its protocol's encoders and decoders at each request: 1.5-4% of each service's CPU under the
 * bench (`--cpu-prof`). A module first loaded after this is not instrumented.
 */
export function stopWatchingRequires(): void {
  if (!unwatched) return;
  Module.prototype.require = unwatched.require;
  process.getBuiltinModule = unwatched.getBuiltinModule;
  unwatched = null;
}

/** Flushes and stops telemetry (after the service stopped its work, so the last spans leave too). */
export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = null;
  await running?.shutdown().catch(() => undefined);
}

/** Serves the Prometheus text format of this process's metrics (`GET /metrics`). */
export function serveMetrics(req: IncomingMessage, res: ServerResponse): void {
  if (!prometheus) {
    res.statusCode = 404;
    res.end('telemetry is off (OTEL_SDK_DISABLED)\n');
    return;
  }
  prometheus.getMetricsRequestHandler(req, res);
}
