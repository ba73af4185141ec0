export * from './command';
export * from './process';
