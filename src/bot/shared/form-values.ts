/**
 * Form fields and click values as the handlers read them: what is there, or nothing. Plain functions, not
 * zod's `.catch()`: a schema that catches builds a whole error (issues, paths, messages) for every field
 * that is missing, and a vote click reads its comment field this way while fifty members vote at once.
 */

/** A field as text: what was typed, or '' for anything else (a missing field, a number, an object). */
export function textOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A multi-select as a list: the strings chosen (one alone as a list of one), or none. */
export function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? v : [];
  return typeof v === 'string' && v ? [v] : [];
}
