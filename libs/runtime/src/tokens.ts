/** Injection tokens shared by every service. */
export const ENV = Symbol('ENV');
export const LOGGER = Symbol('LOGGER');
/** The deployment's topic and group names (KafkaNames of its KAFKA_TOPIC_PREFIX). */
export const NAMES = Symbol('NAMES');
export const READINESS = Symbol('READINESS');
