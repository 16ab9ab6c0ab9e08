import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli, type CliHost } from '../cli/run-cli.ts';

/**
 * The CLI's composition root: `serve` starts a whole node; management commands get the store-backed
 * services alone (no HTTP app, real-time gateway or bus). Both load lazily, so `--help` and usage errors stay instant.
 */
const host: CliHost = {
  serve: async (args, configFile, io) => (await import('./serve.ts')).serve(args, configFile, io),
  async openServices(config) {
    const { directory, tokens, keys, clock, store } = await (await import('./management-services.ts')).openManagementServices(config);
    return { directory, tokens, keys, clock, storeDialect: store.dialect, close: () => store.close() };
  },
};

/** The `keygate` executable: runs the command; a failure ends the process with its code at once. */
export async function main(argv: string[]): Promise<void> {
  const code = await runCli(argv, host);
  // A failed start can leave sockets or timers behind that would keep the process alive; a running
  // server keeps it alive on purpose; anything else ends when its work is done.
  if (code !== 0) process.exit(code);
}

/** True when this file is the process's entry point (`node dist/runtime/main.js`, `tsx src/runtime/main.ts`), not imported by bin/keygate.js. */
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) await main(process.argv.slice(2));
