import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const MODULE = new URL('../../src/runtime/tick-object-map.ts', import.meta.url).href;

// Runs in a fresh process with V8's test hooks. Warm ticks, a moment with no tick object alive, one
// full collection (as Fastify's start-up makes), more ticks; then %DebugPrint shows the feedback of
// Node's nextTick, whose literal sites say MONOMORPHIC while they stay on the fast path.
const PROBE = `
const { pinTickObjectMap, pinnedTickObject } = await import(${JSON.stringify(MODULE)});
if (process.env.PIN === '1') { pinTickObjectMap(); pinTickObjectMap(); }
const ticks = (n) => new Promise((resolve) => { let left = n; const next = () => (--left === 0 ? resolve() : process.nextTick(next)); process.nextTick(next); });
await ticks(200);
await new Promise((resolve) => setImmediate(resolve));
globalThis.gc();
await ticks(200);
const pinned = pinnedTickObject();
process.stdout.write(JSON.stringify({ symbols: pinned ? Object.getOwnPropertySymbols(pinned).map(String) : null }) + '\\n');
%DebugPrint(process.nextTick);
`;

/** The environment minus node:test's marker, so a child process prints instead of reporting to the runner. */
function withoutTestRunner(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _marker, ...rest } = env;
  return rest;
}

/** The states of the object-literal definition sites in nextTick's feedback, and what the probe saw. */
function probe(pin: boolean): { states: string[]; symbols: string[] | null } {
  // %DebugPrint writes with C stdio, which loses output on the non-blocking pipe Node gives a child
  // once the pipe is full: the child writes to a file instead.
  const dir = mkdtempSync(join(tmpdir(), 'keygate-tick-probe-'));
  const file = join(dir, 'stdout');
  const fd = openSync(file, 'w');
  try {
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', PROBE], {
      encoding: 'utf8',
      stdio: ['ignore', fd, 'pipe'],
      // Without the test runner's marker, which would make the child report to it instead of printing.
      env: { ...withoutTestRunner(process.env), PIN: pin ? '1' : '0' },
    });
    assert.equal(run.status, 0, run.stderr);
  } finally {
    closeSync(fd);
  }
  const output = readFileSync(file, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const [first] = output.split('\n');
  const states = [...output.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1]);
  return { states, symbols: (JSON.parse(first) as { symbols: string[] | null }).symbols };
}

describe('pinTickObjectMap: one nextTick object held for the life of the process', () => {
  it('without it, a full collection while no tick is alive turns nextTick megamorphic (what the pin prevents)', () => {
    const { states } = probe(false);
    assert.ok(states.length > 0, 'nextTick builds its tick with computed keys');
    assert.ok(states.includes('MEGAMORPHIC'), `expected V8 to lose the tick's classes without the pin; saw ${states.join(', ')} (if this Node no longer does, the pin is no longer needed)`);
  });

  it('with it, every definition site of the tick literal stays monomorphic, and the pinned object is a real tick', () => {
    const { states, symbols } = probe(true);
    assert.ok(states.length > 0);
    assert.deepEqual([...new Set(states)], ['MONOMORPHIC']);
    assert.ok(symbols?.includes('Symbol(async_id_symbol)') && symbols.includes('Symbol(trigger_async_id_symbol)'), `pinned: ${symbols?.join(', ')}`);
  });
});
