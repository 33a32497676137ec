import { createHash, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { kv } from '../../db/schema';
import { type Db, guard, type Store, type Write } from '../store';
import { Repo } from '../store/repo';

/** The kv row holding the one-time admin bind code (its hash only) while no admin exists. */
export const BIND_CODE_KEY = 'admin-bind-code';
/** Long enough for an operator to read the start-up log and open Feishu; a restart issues a fresh code. */
export const BIND_CODE_TTL_MS = 24 * 60 * 60 * 1000;

/** People retype the code: ignore width, spaces and case. */
export function normaliseBindCode(code: string): string {
  return code
    .normalize('NFKC')
    .replace(/[\s\u3000]+/g, '')
    .toUpperCase();
}

export function hashBindCode(code: string): string {
  return createHash('sha256').update(normaliseBindCode(code), 'utf8').digest('hex');
}

/**
 * At start-up: when nobody can administer the bot (no admin in the roster and none configured), stores a fresh
 * single-use code (hash and expiry only) and returns it in plain text for the runtime to print; otherwise
 * removes any leftover code and returns null.
 */
export async function ensureBindCode(
  store: Store,
  now: Date,
  newCode: () => string,
  configAdmins: string[],
  ttlMs: number = BIND_CODE_TTL_MS,
): Promise<string | null> {
  const admins = await new Repo(store.db).withRole('admin');
  if (admins.length > 0 || configAdmins.length > 0) {
    await store.commit([store.db.delete(kv).where(eq(kv.key, BIND_CODE_KEY))]);
    return null;
  }
  const code = newCode();
  const row = { value: hashBindCode(code), expiresAt: now.getTime() + ttlMs, updatedAt: now.getTime() };
  await store.commit([
    store.db
      .insert(kv)
      .values({ key: BIND_CODE_KEY, version: 1, ...row })
      .onConflictDoUpdate({ target: kv.key, set: row }),
  ]);
  return code;
}

export type BindCodeCheck =
  | { ok: true; consume: Write[] }
  | { ok: false; reason: 'none' | 'wrong' | 'expired'; consume?: Write[] };

/**
 * Checks a typed code against the stored hash and expiry. On success `consume` deletes the code guarded by its
 * version, so two people racing with the same code cannot both win; a matching but expired code also comes
 * with `consume` so a caller may clear it.
 */
export async function checkBindCode(db: Db, typed: string, now: Date): Promise<BindCodeCheck> {
  const [row] = await db.select().from(kv).where(eq(kv.key, BIND_CODE_KEY));
  if (!row) return { ok: false, reason: 'none' };
  const expected = Buffer.from(row.value, 'hex');
  const given = Buffer.from(hashBindCode(typed), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'wrong' };
  const consume: Write[] = [
    db.delete(kv).where(and(eq(kv.key, BIND_CODE_KEY), eq(kv.version, row.version))),
    guard,
  ];
  if (row.expiresAt === null || row.expiresAt <= now.getTime())
    return { ok: false, reason: 'expired', consume };
  return { ok: true, consume };
}
