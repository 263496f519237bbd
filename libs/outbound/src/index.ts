export * from './webhook-sender';
export * from './dns-resolver';
