import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config/load-config.ts';
import { decodeBase64 } from '../core/base64.ts';
import { fixedHexDecoder } from '../core/hex-bytes.ts';

const MASTER_KEY_FORMAT = 'must be 32 bytes as 64 hex characters or base64';
const hex32Bytes = fixedHexDecoder(64);

/**
 * Decodes a master key (64 hex chars or standard base64 of 32 bytes); null when it is neither. Strictly:
 * Node's decoder skips characters that are not base64, so a key with a stray character in it decoded
 * to some other 32 bytes and every sealed secret then failed to open, far from the typo that caused it.
 */
export function decodeMasterKey(text: string): Buffer | null {
  const trimmed = text.trim();
  const hex = hex32Bytes(trimmed);
  if (hex) return hex;
  const decoded = decodeBase64(trimmed);
  return decoded?.length === 32 ? decoded : null;
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
  const keyFile = join(options.dataDir, 'master.key');
  const masterKey = decodeMasterKey(options.masterKey ?? readOrCreate(keyFile, () => randomBytes(32).toString('hex'), options.logger, 'master key'));
  if (!masterKey) {
    // The value is a secret: the message names where it came from, never what it is.
    throw new ConfigError(
      options.masterKey !== null
        ? `invalid setting masterKey (KEYGATE_MASTER_KEY or the config file): ${MASTER_KEY_FORMAT}`
        : `invalid master key in ${keyFile}: ${MASTER_KEY_FORMAT}; restore the file or set KEYGATE_MASTER_KEY`,
    );
  }
  const serverToken =
    options.serverToken ??
    readOrCreate(join(options.dataDir, 'server-token'), () => 'kgs_' + randomBytes(32).toString('hex'), options.logger, 'server token');
  return { masterKey, serverToken };
}
