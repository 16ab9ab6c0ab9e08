import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** Decodes a configured master key (64 hex chars or base64 of 32 bytes). */
export function decodeMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  if (decoded.length === 32) return decoded;
  throw new Error('invalid setting masterKey: must be 32 bytes as 64 hex characters or base64');
}

function readOrCreate(path: string, make: () => string, logger: Logger, what: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  writeFileSync(path, value + '\n', { mode: 0o600 });
  logger.warn({ path }, `generated a ${what} into the data folder; set it in configuration for production`);
  return value;
}

/** The master key and server token: from configuration, else generated once into the data folder. */
export function bootstrapSecrets(options: { dataDir: string; masterKey: string | null; serverToken: string | null; logger: Logger }): {
  masterKey: Buffer;
  serverToken: string;
} {
  mkdirSync(options.dataDir, { recursive: true });
  const masterKey = decodeMasterKey(
    options.masterKey ?? readOrCreate(join(options.dataDir, 'master.key'), () => randomBytes(32).toString('hex'), options.logger, 'master key'),
  );
  const serverToken =
    options.serverToken ??
    readOrCreate(join(options.dataDir, 'server-token'), () => 'kgs_' + randomBytes(32).toString('hex'), options.logger, 'server token');
  return { masterKey, serverToken };
}
