import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** Runs dependency-cruiser with the project's rules (.dependency-cruiser.cjs) in `cwd`. */
function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [depcruise, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('dependencies flow one way (core ← store, bus ← schemes ← verify ← service ← adapters ← runtime)', () => {
  it('src/ has no layer violation and no cycle between files', () => {
    const { status, output } = cruise(root);
    assert.equal(status, 0, output);
    assert.match(output, /no dependency violations found/);
  });

  it('the rules catch a layer violation and a cycle (so the check above can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-depcruise-'));
    try {
      cpSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }));
      const files: Record<string, string> = {
        'src/core/rule.ts': "import { app } from '../http/app.ts';\nexport const rule = app;\n",
        'src/http/app.ts': 'export const app = 1;\n',
        'src/service/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
        'src/service/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const { status, output } = cruise(dir);
      assert.notEqual(status, 0, output);
      assert.match(output, /core-layer: src\/core\/rule\.ts → src\/http\/app\.ts/);
      assert.match(output, /no-cycles/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
