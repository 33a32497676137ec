import type { SqlStatement, Write } from './index';

/**
 * A write drizzle builds once per shape and that is then filled by position: the hot writes (a case row, an
 * outbox message, an audit entry, a notice) were a fifth of a job's time in drizzle assembling the same SQL
 * text again for every unit.
 *
 * The shape is learnt by building the write with a marker in place of each value and finding each marker in
 * the parameters. It is used only if the same build with the real values gives the same SQL and parameters
 * as the filled template; otherwise (a value drizzle turns into SQL, or changes on the way) that shape is
 * always built by drizzle. `build` must only place its values, never branch on them: the shape is the name
 * and which keys have a value, so a build that chose its SQL by a value could not be told apart.
 * `test/store/templated.test.ts` holds the hot writes to drizzle's own statements over generated values.
 */
export function templated<V extends Record<string, unknown>>(
  db: object,
  name: string,
  build: (values: V) => Write,
  values: V,
): Write {
  const keys = Object.keys(values).filter((k) => values[k] !== undefined);
  const shape = `${name}\u0000${keys.join('\u0000')}`;
  let templates = templatesBy.get(db);
  if (!templates) {
    templates = new Map();
    templatesBy.set(db, templates);
  }
  let t = templates.get(shape);
  if (t === undefined) {
    t = learn(build, keys, values);
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(shape, t);
  }
  if (t === null) return build(values);
  const params = new Array<unknown>(t.slots.length);
  for (let i = 0; i < t.slots.length; i++) {
    const slot = t.slots[i]!;
    if (typeof slot !== 'string') params[i] = slot.value;
    else {
      const v = values[slot];
      // Only plain values fill a template: anything else (drizzle's sql``, a Date) is drizzle's to build.
      if (typeof v === 'object' && v !== null) return build(values);
      params[i] = v;
    }
  }
  return { sql: t.sql, params };
}

/** Shapes are a fixed set in the code (a few dozen); past this the cache starts over. */
const MAX_TEMPLATES = 1_000;

/** Where each parameter comes from: a value by its key, or a constant drizzle put there (a default). */
type Slot = string | { value: unknown };
interface Template {
  sql: string;
  slots: Slot[];
}
/** Per database (its dialect builds the SQL), by the write's name and the keys it was given. */
const templatesBy = new WeakMap<object, Map<string, Template | null>>();

const MARK = '\u0000templated:';

function statementOf(w: Write): SqlStatement {
  return 'toSQL' in w ? w.toSQL() : w;
}

function learn<V extends Record<string, unknown>>(
  build: (values: V) => Write,
  keys: string[],
  values: V,
): Template | null {
  const marked = Object.fromEntries(keys.map((k) => [k, `${MARK}${k}`])) as unknown as V;
  let learnt: SqlStatement;
  try {
    learnt = statementOf(build(marked));
  } catch {
    return null;
  }
  if (keys.some((k) => typeof values[k] === 'object' && values[k] !== null)) return null;
  const seen = new Set<string>();
  const slots = learnt.params.map((p): Slot => {
    if (typeof p === 'string' && p.startsWith(MARK)) {
      const key = p.slice(MARK.length);
      seen.add(key);
      return key;
    }
    return { value: p };
  });
  // Every value must land as a parameter of its own, untouched.
  if (seen.size !== keys.length) return null;
  const t: Template = { sql: learnt.sql, slots };
  const real = statementOf(build(values));
  const filled = t.slots.map((s) => (typeof s === 'string' ? values[s] : s.value));
  if (real.sql !== t.sql || !sameParams(real.params, filled)) return null;
  return t;
}

function sameParams(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
