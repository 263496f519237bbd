// Loaded first by main.ts: OpenTelemetry must patch modules before anything else requires them, and
// kafkajs must find what the preload puts in its place when it loads (libs/kafka/src/preload.ts).
import '@hookpost/kafka/preload';
import { startTelemetry } from '@hookpost/telemetry/otel';

startTelemetry('hookpost-failure-log');
