// Loaded first by main.ts: OpenTelemetry must patch modules before anything else requires them.
import { startTelemetry } from '@hookpost/telemetry/otel';

startTelemetry('hookpost-failure-log');
