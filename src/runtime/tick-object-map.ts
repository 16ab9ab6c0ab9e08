import { executionAsyncResource } from 'node:async_hooks';

/** One `process.nextTick` object, held so that its hidden classes (V8 maps) are never collected. */
let pinned: object | undefined;
let requested = false;

/**
 * Keeps one of Node's nextTick objects alive for the life of the process, which keeps every
 * `process.nextTick` call on V8's fast path. Call it first thing, outside any AsyncLocalStorage
 * context (the tick would keep that context's store alive).
 *
 * Why: Node builds each tick as an object literal with computed (symbol) keys, and V8 compiles each
 * property definition inline only while that site has seen one hidden class. The classes reached by
 * adding the literal's later properties are held only weakly by the class before them, so a full
 * garbage collection at a moment when no tick object is alive (Fastify's start-up makes several)
 * frees them; the next tick builds new ones, three of the four definition sites turn megamorphic for
 * good, and every later tick defines those properties through V8's runtime. Node's HTTP and stream
 * code makes about eight ticks per request: Keygate processes that lost the classes, about half of
 * the starts, spent 30–45% more CPU per forward-auth check (README, Performance). The held tick keeps
 * its whole chain of classes alive.
 */
export function pinTickObjectMap(): void {
  if (requested) return;
  requested = true;
  // Inside a tick's callback Node reports the tick object itself as the current async resource.
  process.nextTick(() => {
    pinned = executionAsyncResource();
  });
}

/** The pinned tick object, once its tick has run (tests check what it is). */
export function pinnedTickObject(): object | undefined {
  return pinned;
}
