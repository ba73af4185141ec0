/** DI tokens shared by the apps. */
export const REDIS = Symbol('REDIS');
export const EVENT_SOURCING = Symbol('EVENT_SOURCING');
export const APP_CONFIG = Symbol('APP_CONFIG');
