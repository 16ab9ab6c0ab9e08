import type { ApiKey } from '../core/api-key.ts';

/** The spec 002 welcome, sent once a feed session is accepted. */
export function welcomeFrame(key: ApiKey, now: number): string {
  const expiresInSecs = key.expiresAt === null ? null : Math.max(0, Math.floor((key.expiresAt - now) / 1000));
  return JSON.stringify({ type: 'welcome', tier: key.tier, maxConnections: key.maxConnections, allowedCex: key.allowedExchanges, expiresInSecs });
}

/**
 * A listing announcement for the feed, from a `listings:{exchange}` publication: the publication's
 * fields with `type` set to announcement and `exchange` filled in when the publisher left it out.
 */
export function announcementFrame(exchange: string, data: unknown): string {
  const fields = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : { data };
  return JSON.stringify({ ...fields, type: 'announcement', exchange: typeof fields.exchange === 'string' ? fields.exchange : exchange });
}

/** The answer to a client's `{"type":"test"}`: an announcement marked as a test. */
export function testAnnouncementFrame(exchange: string, now: number): string {
  return JSON.stringify({
    type: 'announcement',
    test: true,
    exchange,
    symbol: 'TEST',
    title: 'Test announcement: your connection receives announcements',
    announcedAt: new Date(now).toISOString(),
  });
}

/** An error the feed reports without closing, e.g. for a message it does not understand. */
export function feedErrorFrame(message: string): string {
  return JSON.stringify({ type: 'error', message });
}
