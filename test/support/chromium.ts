import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (or KEYGATE_CHROMIUM); null when none is installed, so browser tests skip. */
export function chromiumPath(): string | null {
  const candidates = [process.env.KEYGATE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Why browser tests are skipped on this machine. */
export const NO_CHROMIUM = 'no Chromium found (install Debian\'s: apt-get install -y chromium, or set KEYGATE_CHROMIUM); browser tests skipped';

/** Launches headless Chromium the way CI runs it. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
