export * from './logger';
export * from './trace-context';
export { spansRecorded } from './recording';
export * from './otel';
export * from './metrics';
