import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/lark', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES_DIR, name), 'utf8');
}

export function fixture<T = any>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

export type CryptoVectors = {
  event: {
    encryptKey: string;
    ivHex: string;
    plaintextFile: string;
    body: string;
    headers: Record<string, string>;
  };
  oldCardCallback: { verificationToken: string; body: string; headers: Record<string, string> };
};

export const vectors = fixture<CryptoVectors>('crypto-vectors.json');

/** Fixed clock matching the vectors' timestamp. */
export const NOW_MS = 1764300000 * 1000;

export const headerLookup =
  (headers: Record<string, string>) =>
  (name: string): string | undefined =>
    headers[name.toLowerCase()];
