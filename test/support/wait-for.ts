import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` every 10 ms until it returns a truthy value, and resolves with that value. Rejects
 * with a message naming `what` once `timeoutMs` pass, and at once if `check` throws.
 *
 * For conditions no event announces (a server that starts answering, a slot that frees up). When
 * there is an event, await it instead (see `withTimeout`).
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 3000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Resolves as `promise` does, or rejects with a message naming `what` once `timeoutMs` pass. */
export async function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = 3000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves with the first defined result of `find`, tried now and again after every `event` the
 * emitter emits (e.g. a WebSocket's 'message', once the listener collecting messages has run).
 * Pair it with `withTimeout`.
 */
export function whenFound<T>(emitter: EventEmitter, event: string, find: () => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const look = () => {
      const found = find();
      if (found === undefined) return;
      emitter.off(event, look);
      resolve(found);
    };
    emitter.on(event, look);
    look();
  });
}

/**
 * Waits, if need be, until at least `neededMs` remain before the next boundary of the fixed
 * `windowMs` windows the throttles count in (aligned to the epoch), so a test that spends a budget
 * on the system clock never sees the window roll over halfway and the budget start again.
 */
export async function clearOfWindowEdge(neededMs: number, windowMs = 60_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < neededMs) await sleep(left + 20);
}
