// What `npm start` runs: the compiled runtime (scripts/build.mjs), built once before the tests that start it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BUILT_START = fileURLToPath(new URL('../../dist/start.mjs', import.meta.url));

/** `node <this>` is `npm start` without its build step (the suite's global set-up built it). */
export function builtStart(): string {
  if (!existsSync(BUILT_START)) throw new Error(`${BUILT_START} is missing: run npm run build`);
  return BUILT_START;
}
