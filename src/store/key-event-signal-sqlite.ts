import { sql, type Kysely } from 'kysely';
import type { Database } from './database.ts';
import type { KeyEventSignal, KeyEventSignalHandlers } from './key-event-signal.ts';

/** How often the file is checked for commits by other processes. */
export const SQLITE_CHANGE_CHECK_MS = 150;

/**
 * SQLite has no notifications, but `PRAGMA data_version` changes whenever another connection (the
 * CLI, a script, another process on the same file) commits; reading it costs microseconds. When it
 * moves, the node reads the log from its position. Commits by this process do not move it: the node
 * applies its own changes at once anyway.
 */
export function watchKeyEventsSqlite(db: Kysely<Database>, handlers: KeyEventSignalHandlers, everyMs = SQLITE_CHANGE_CHECK_MS): KeyEventSignal {
  let version: number | null = null;
  let checking = false;
  let healthy = true;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(db);
      const current = Number(rows[0]?.data_version);
      if (!healthy) {
        healthy = true;
        handlers.onConnected();
      }
      if (version !== null && current !== version) handlers.onEvent(null);
      version = current;
    } catch (error) {
      if (healthy) handlers.onLost(error);
      healthy = false;
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  void check();
  handlers.onConnected();
  return {
    async close() {
      clearInterval(timer);
    },
  };
}
