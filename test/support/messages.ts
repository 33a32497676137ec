// Looking for what the bot said among the emulator's messages, by the words a message shows.
import { expect } from 'vitest';
import type { EmulatedMessage } from '../../src/sandbox/emulator';

/** A message's content as one string, to look for what it shows. */
export const text = (m: { content: unknown } | undefined) => JSON.stringify(m?.content ?? null);

/** The messages that show every one of `parts`. */
export const find = (list: EmulatedMessage[], ...parts: string[]) =>
  list.filter((m) => parts.every((p) => text(m).includes(p)));

/** The one message that shows every one of `parts`; none or several fail the test. */
export function one(list: EmulatedMessage[], ...parts: string[]): EmulatedMessage {
  const hits = find(list, ...parts);
  expect(hits, `one message with ${parts.join(' + ')}`).toHaveLength(1);
  return hits[0]!;
}

/** The newest message that shows every one of `parts`; none fails the test. */
export function last(list: EmulatedMessage[], ...parts: string[]): EmulatedMessage {
  const hit = find(list, ...parts).at(-1);
  expect(hit, `a message with ${parts.join(' + ')}`).toBeDefined();
  return hit!;
}
