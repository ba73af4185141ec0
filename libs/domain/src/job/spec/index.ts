export * from './job-spec';
export * from './codec-rules';
export * from './spec-issue';
export * from './job-spec.schema';
export * from './validate-job-spec';
