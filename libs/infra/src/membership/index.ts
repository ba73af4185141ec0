export * from './membership-keys';
export * from './worker-registry';
export * from './capacity-ledger';
export * from './detector-lease';
export * from './reassign-job';
