import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runCli } from './run-cli.ts';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The usage block of the README's CLI section: the first ```text block under "## The CLI". */
function readmeUsage(): string {
  const section = README.slice(README.indexOf('## The CLI'));
  const block = /```text\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the README CLI section shows the usage in a text block');
  return block[1].trimEnd();
}

/** Every command the README documents, with the flags its synopsis shows. */
function readmeCommands(): Array<{ command: string; flags: string[] }> {
  const lines = readmeUsage().split('\n');
  const commands: Array<{ command: string; flags: string[] }> = [];
  for (const line of lines) {
    const start = /^ {2}(serve|migrate|[a-z]+ [a-z]+)\b(.*)$/.exec(line);
    if (start) commands.push({ command: start[1], flags: [] });
    if (/^ {2}\S/.test(line) || /^ {3,}\[/.test(line)) commands.at(-1)?.flags.push(...(line.match(/--[a-z-]+/g) ?? []));
  }
  return commands;
}

/** Runs a few at a time: enough to overlap start-up, not so many that a shared machine chokes. */
async function inBatches<T>(items: T[], check: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 4) await Promise.all(items.slice(i, i + 4).map(check));
}

describe('keygate --help (real child processes)', () => {
  it('keygate --help prints exactly the usage the README shows, and exits 0', async () => {
    const result = await runCli(['--help'], {});
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout.trimEnd(), readmeUsage());
    assert.equal((await runCli(['-h'], {})).stdout, result.stdout);
  });

  it('every command answers --help and -h with its own usage, listing each flag the README shows for it', async () => {
    const commands = readmeCommands();
    assert.deepEqual(
      commands.map((c) => c.command),
      ['serve', 'migrate', 'org create', 'user create', 'token create', 'token list', 'token revoke', 'keys create', 'keys list', 'keys update', 'keys revoke', 'keys suspend', 'keys resume'],
    );
    await inBatches(commands, async ({ command, flags }) => {
      for (const help of ['--help', '-h']) {
        const result = await runCli([...command.split(' '), help], {});
        assert.equal(result.code, 0, `${command} ${help}: ${result.stderr}`);
        assert.equal(result.stderr, '', `${command} ${help}`);
        assert.ok(result.stdout.startsWith(`usage: keygate ${command}`), `${command} ${help}:\n${result.stdout}`);
        for (const flag of [...flags, '--config', '--help']) assert.ok(result.stdout.includes(flag), `${command} --help explains ${flag}`);
      }
    });
  });

  it('--help wins over missing or bad flags and never opens the database', async () => {
    const result = await runCli(['keys', 'create', '--colour', 'red', '--help'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^usage: keygate keys create/);
  });

  it('a command group lists its commands', async () => {
    const result = await runCli(['keys', '--help'], {});
    assert.equal(result.code, 0);
    for (const command of ['keys create', 'keys list', 'keys update', 'keys revoke', 'keys suspend', 'keys resume']) assert.ok(result.stdout.includes(`keygate ${command}`), command);
  });

  it('a usage error points at the command\'s --help', async () => {
    const result = await runCli(['token', 'create'], {});
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^keygate: --user is required \(keygate token create --help shows the usage\)\n$/);
  });
});
