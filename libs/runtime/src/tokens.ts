/** Injection tokens shared by every service. */
export const ENV = Symbol('ENV');
export const LOGGER = Symbol('LOGGER');
export const READINESS = Symbol('READINESS');
