import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const MODULE = new URL('../../src/runtime/tick-object-map.ts', import.meta.url).href;

// Runs in a fresh process with V8's test hooks: %HaveSameMap tells whether two objects share a
// hidden class, and gc() forces the full collections that would free an unused one.
const PROBE = `
const { pinTickObjectMap, pinnedTickObject } = await import(${JSON.stringify(MODULE)});
const { executionAsyncResource } = await import('node:async_hooks');
const tick = () => new Promise((resolve) => process.nextTick(() => resolve(executionAsyncResource())));
pinTickObjectMap();
pinTickObjectMap();
await new Promise((resolve) => setImmediate(resolve));
const pinned = pinnedTickObject();
globalThis.gc();
globalThis.gc();
const fresh = await tick();
const symbols = Object.getOwnPropertySymbols(pinned).map(String);
process.stdout.write(JSON.stringify({ symbols, sameClass: %HaveSameMap(pinned, fresh), second: pinnedTickObject() === pinned }));
`;

describe('pinTickObjectMap: one nextTick object held for the life of the process', () => {
  it('holds a real tick object that still shares its hidden class with new ticks after full collections', () => {
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', PROBE], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { symbols: string[]; sameClass: boolean; second: boolean };
    assert.deepEqual(result.symbols, ['Symbol(async_id_symbol)', 'Symbol(trigger_async_id_symbol)']);
    assert.equal(result.sameClass, true);
    assert.equal(result.second, true, 'a second call keeps the first pin');
  });
});
