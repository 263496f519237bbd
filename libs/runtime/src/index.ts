export * from './env';
export * from './tokens';
export * from './health.module';
export * from './bootstrap';
export * from './service';
