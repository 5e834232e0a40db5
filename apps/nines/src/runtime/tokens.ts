/** Injection tokens for the I/O objects built before Nest starts. */
export const SETTINGS = Symbol('SETTINGS');
export const CONFIG = Symbol('CONFIG');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const REDIS = Symbol('REDIS');
export const REDIS_CONNECTIONS = Symbol('REDIS_CONNECTIONS');
export const LOGGER = Symbol('LOGGER');
export const CLOCK = Symbol('CLOCK');
export const METRICS = Symbol('METRICS');
export const READINESS = Symbol('READINESS');
export const TARGET_IDS = Symbol('TARGET_IDS');
export const LIVE_STATES = Symbol('LIVE_STATES');
/** The stages the prober hands each result to, in order (topology, then target alerts). */
export const RESULT_LISTENERS = Symbol('RESULT_LISTENERS');
/** The topology commit path's store (libs/topology/src/commit.ts TopologyStore). */
export const TOPOLOGY_STORE = Symbol('TOPOLOGY_STORE');
/** What happens after topology changes (libs/topology/src/listener.ts TopologyListener). */
export const TOPOLOGY_LISTENER = Symbol('TOPOLOGY_LISTENER');
/** Publish: names a change on the Redis change feed for the consoles (libs/live/src/change-feed.ts). */
export const CHANGE_FEED = Symbol('CHANGE_FEED');
