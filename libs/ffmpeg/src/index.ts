export * from './command';
export * from './manifest';
export * from './process';
