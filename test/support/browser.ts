import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium; never a downloaded one. */
export const CHROMIUM = '/usr/bin/chromium';

/** In CI a browser test must run (a missing browser fails it); elsewhere it is skipped with a reason. */
export function skipWithoutBrowser(test: string): boolean {
  const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';
  if (skip) console.warn(`${test}: skipped, ${CHROMIUM} is not installed (apt-get install chromium)`);
  return skip;
}

/** Headless chromium that reaches nothing on its own: no updates, sync, background fetches or QUIC. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
