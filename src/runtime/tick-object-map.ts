import { executionAsyncResource } from 'node:async_hooks';

/** One `process.nextTick` object, held so that its hidden class (V8 map) is never collected. */
let pinned: object | undefined;

/**
 * Keeps one of Node's nextTick objects alive for the life of the process, which keeps every
 * `process.nextTick` call on V8's fast path. Node builds each tick as an object literal with computed
 * (symbol) keys; V8 remembers the one hidden class that literal starts from and compiles the property
 * definitions inline. That class is cached weakly: a full garbage collection at a moment when no tick
 * is queued (Fastify's start-up makes several) frees it, the next tick gets a new one, the literal's
 * feedback turns megamorphic for good, and from then on every tick defines its four properties
 * through the runtime. Node's HTTP and stream code makes about eight ticks per request, so a process
 * that lost the class spent 5–8 µs more per forward-auth check, at random from one start to the next
 * (measured in bench/auth.bench.ts; README, Performance). Call it first thing in the process.
 */
export function pinTickObjectMap(): void {
  if (pinned !== undefined) return;
  pinned = {};
  // Inside a tick's callback Node reports the tick object itself as the current async resource.
  process.nextTick(() => {
    pinned = executionAsyncResource();
  });
}

/** The pinned tick object (tests check it shares its hidden class with fresh ticks). */
export function pinnedTickObject(): object | undefined {
  return pinned;
}
