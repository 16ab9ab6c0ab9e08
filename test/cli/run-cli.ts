import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI entry point, as `npx keygate` runs it. */
export const KEYGATE_BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));

/** An environment for a child Keygate: this one without any Keygate, database or Redis setting, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(KEYGATE_|DATABASE_URL$|REDIS_URL$|PORT$)/.test(name)) env[name] = value;
  }
  return { ...env, KEYGATE_LOG_LEVEL: 'silent', ...extra };
}

/** Runs `node bin/keygate.js …args` to completion. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KEYGATE_BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
