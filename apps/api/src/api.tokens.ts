/** DI tokens of the api app (shared ones — REDIS, EVENT_SOURCING — come from @ezlive/infra). */
export const API_CONFIG = Symbol('API_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const SQS_INTAKE = Symbol('SQS_INTAKE');
