/**
 * Centrifuge protocol v2 JSON framing: one frame may carry several commands or replies,
 * one JSON object per line.
 */

/** A command as the client sent it; exactly one method field besides `id` (none = pong). */
export interface Command {
  readonly id?: number;
  readonly [method: string]: unknown;
}

/** Method names a command may carry, in the order the protocol defines them. */
export const METHODS = ['connect', 'subscribe', 'unsubscribe', 'publish', 'presence', 'presence_stats', 'history', 'ping', 'send', 'rpc', 'refresh', 'sub_refresh'] as const;
export type Method = (typeof METHODS)[number];

/** Splits a frame into commands; null when any line is not a JSON object. */
export function parseCommands(frame: string): Command[] | null {
  const commands: Command[] = [];
  for (const line of frame.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return null;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    commands.push(value as Command);
  }
  return commands;
}

/** The method a command calls, or null for an empty command (the client's pong). */
export function methodOf(command: Command): Method | 'unknown' | null {
  for (const method of METHODS) if (command[method] !== undefined) return method;
  const keys = Object.keys(command).filter((k) => k !== 'id');
  return keys.length === 0 ? null : 'unknown';
}

/** Joins serialized replies into one frame. */
export function joinReplies(replies: readonly string[]): string {
  return replies.join('\n');
}

/** A publication push for a channel, serialized once and shared by every subscriber. */
export function publicationPush(channel: string, data: unknown, offset: number): string {
  return `{"push":{"channel":${JSON.stringify(channel)},"pub":{"data":${JSON.stringify(data ?? null)},"offset":${offset}}}}`;
}

/** The server's ping: an empty object. */
export const PING_FRAME = '{}';
