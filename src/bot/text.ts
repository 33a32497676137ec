/** Forgiving command matching: full-width → half-width, no spaces, no trailing punctuation. */
export function normalizeCommand(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/@_user_\d+/g, '')
    .replace(/[\s\u3000]+/g, '')
    .replace(/[。.!！?？~～]+$/u, '')
    .toLowerCase();
}
