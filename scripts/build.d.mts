/** An entry of `scripts/build.mjs`: a source file and the module it is built into (paths from the root). */
export interface Entry {
  entry: string;
  out: string;
}
export const START: Entry;
export const START_FLAGS: string[];
export function buildEntry(entry: Entry): Promise<string>;
