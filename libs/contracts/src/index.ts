export * from './event-types';
export * from './topics';
export * from './headers';
export * from './ids';
export * from './schemas';
export * from './proto';
export * from './records';
