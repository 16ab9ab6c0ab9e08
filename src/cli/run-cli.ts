import { ConfigError } from '../config/config-error.ts';
import { BackendConnectError } from '../core/backend-connect-error.ts';
import { KeygateError } from '../core/errors.ts';
import type { Config } from '../config/config-schema.ts';
import { CliError, StartupError } from './cli-error.ts';
import { parseCommand } from './command-options.ts';
import type { CliServices, Command } from './commands.ts';
import { commandUsage, COMMAND_HELP, groupUsage, USAGE } from './usage.ts';

// Everything beyond the usage text (settings schema, server, drivers) loads only when a command
// runs, so --help and usage errors answer in about the time node itself takes to start.
const loadConfig = async () => (await import('../config/load-config.ts')).loadConfig;

const COMMANDS: Record<string, () => Promise<Command>> = {
  'org create': async () => (await import('./commands.ts')).orgCreate,
  'user create': async () => (await import('./commands.ts')).userCreate,
  'token create': async () => (await import('./commands.ts')).tokenCreate,
  'token list': async () => (await import('./commands.ts')).tokenList,
  'token revoke': async () => (await import('./commands.ts')).tokenRevoke,
  'keys create': async () => (await import('./commands.ts')).keysCreate,
  'keys list': async () => (await import('./commands.ts')).keysList,
  'keys update': async () => (await import('./commands.ts')).keysUpdate,
  'keys revoke': async () => (await import('./commands.ts')).keysRevoke,
  'keys suspend': async () => (await import('./commands.ts')).keysSuspend,
  'keys resume': async () => (await import('./commands.ts')).keysResume,
};

/** Where a command writes: results to `out`, errors to `err`. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** The process's stdout and stderr. */
export const processIo: Io = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') };

/** What the composition root provides the CLI: a server to start, and the services management commands use. */
export interface CliHost {
  /** `keygate serve`: starts a node; resolves with the exit code once it listens (or could not start). */
  serve(args: string[], configFile: string | null, io: Io): Promise<number>;
  /** Opens the store-backed services for one management command (no bus); `close()` when done. */
  openServices(config: Config): Promise<CliServices & { readonly storeDialect: string; close(): Promise<void> }>;
}

function takeConfigFlag(args: string[]): { args: string[]; file: string | null } {
  const at = args.indexOf('--config');
  if (at === -1) return { args, file: null };
  const file = args[at + 1];
  if (!file || file.startsWith('--')) throw new CliError('--config needs a file path');
  return { args: [...args.slice(0, at), ...args.slice(at + 2)], file };
}

/** True when --help or -h is among the flags (not after `--`, where it would be a value). */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** Runs one CLI invocation; returns the exit code (0 ok, 1 refused or failed, 2 usage error). */
export async function runCli(argv: string[], host: CliHost, io: Io = processIo): Promise<number> {
  let command: string | null = null;
  try {
    const { args: all, file } = takeConfigFlag(argv);
    const [first, second] = all;
    if (!first || first === 'help' || first === '--help' || first === '-h') {
      const topic = first === 'help' ? all.slice(1).join(' ') : '';
      io.out((topic && COMMAND_HELP[topic] ? commandUsage(topic) : topic && groupUsage(topic)) || USAGE);
      return first ? 0 : 2;
    }
    const name = first === 'serve' || first === 'migrate' ? first : `${first} ${second ?? ''}`.trim();
    if (wantsHelp(all)) {
      const help = COMMAND_HELP[name] ? commandUsage(name) : groupUsage(first);
      if (help) {
        io.out(help);
        return 0;
      }
    }
    if (!COMMAND_HELP[name]) throw new CliError(`unknown command "${name}" (keygate --help lists the commands)`);
    command = name;
    const args = all.slice(name.split(' ').length);
    if (name === 'serve') return await host.serve(args, file, io);
    if (name === 'migrate') parseCommand(args, {});
    // Management commands need only the store: their key events reach every server through the
    // store's log (LISTEN/NOTIFY, or the SQLite file check), so they work while Redis is down.
    const config = (await loadConfig())({ file, overrides: { logLevel: process.env.KEYGATE_LOG_LEVEL ?? 'warn', redisUrl: null } });
    const run = name === 'migrate' ? null : await COMMANDS[name]();
    const services = await host.openServices(config);
    try {
      if (run) await run(services, args, (value) => io.out(JSON.stringify(value, null, 2)));
      else io.out(JSON.stringify({ migrated: true, store: services.storeDialect }));
    } finally {
      await services.close();
    }
    return 0;
  } catch (error) {
    return report(error, command, io);
  }
}

/** Prints an error as one `keygate:` line (a stack trace only at KEYGATE_LOG_LEVEL=debug) and returns the exit code. */
function report(error: unknown, command: string | null, io: Io): number {
  const line = (message: string) => io.err(`keygate: ${message.replace(/\s*\n\s*/g, ' ')}`);
  if (error instanceof CliError) {
    line(command ? `${error.message} (keygate ${command} --help shows the usage)` : error.message);
    return 2;
  }
  const known = [KeygateError, ConfigError, BackendConnectError, StartupError].some((type) => error instanceof type);
  // Errors of the file system (data folder not writable, disk full) name their path and are the operator's to fix.
  const system = error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string' && 'path' in error;
  const message = error instanceof Error ? error.message : String(error);
  if (known || system) line(message);
  else line(`${message} (unexpected; run with KEYGATE_LOG_LEVEL=debug to see the stack trace)`);
  if (/^(debug|trace)$/i.test(process.env.KEYGATE_LOG_LEVEL ?? '') && error instanceof Error && error.stack) io.err(error.stack);
  return 1;
}
