export * from './logger';
export * from './trace-context';
export * from './otel';
export * from './metrics';
