// Vitest's global set-up: builds what `npm start` runs, once, so the tests that start the product as a
// process start exactly that.
import { buildEntry, START } from '../../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await buildEntry(START);
}
