// @ts-check
// One transaction over many commit units, each in a savepoint of its own: one unit's failure is its alone,
// the fsync is shared. Used by the writer thread (sqlite-writer.js) and, for ':memory:', by sqlite.ts itself.
// Plain JavaScript so that the writer thread can load it without a loader.

/** @typedef {{ sql: string, params: unknown[], table: string | null }} Statement */
/** @typedef {{ message: string, code?: string }} Failure */
/** @typedef {{ ok: true, changes: number[] } | { ok: false, error: Failure }} UnitResult */

/** Every connection's settings, the writer's and the reader's alike. */
export const CONNECTION_PRAGMAS = [
  'journal_mode = WAL',
  // An event is acknowledged to the platform only after its commit; NORMAL could lose the last commits on
  // power loss, and the platform never resends what got a 200.
  'synchronous = FULL',
  'busy_timeout = 5000',
  'foreign_keys = ON',
  // Deleted and nulled data (raw event payloads, an anonymous reporter's draft) is overwritten, not left in
  // free pages; the WAL file is emptied in the writer's pauses (and refilled with zeros) so old frames do
  // not linger either.
  'secure_delete = ON',
  'journal_size_limit = 0',
];

/** The journal modes SQLite knows, in the order the writer reports its own to the opener. */
export const JOURNAL_MODES = ['delete', 'truncate', 'persist', 'memory', 'wal', 'off'];

/** @param {unknown} err @returns {Failure} */
export function failure(err) {
  const code = /** @type {{ code?: unknown }} */ (err)?.code;
  return {
    message: err instanceof Error ? err.message : String(err),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/**
 * How many prepared statements a connection keeps. Most statements come from a few hundred templates, but a
 * statement whose text depends on its values (a list of any length, the columns an update happens to change)
 * makes a text of its own; past this many the kept ones are let go and prepared again as they come.
 */
export const KEPT_STATEMENTS = 512;

/**
 * A connection's prepared statements by text, at most KEPT_STATEMENTS of them (the writer's here, the
 * reading connection's in sqlite.ts).
 * @param {import('better-sqlite3').Database} sqlite
 */
export function statementCache(sqlite) {
  /** @type {Map<string, import('better-sqlite3').Statement>} */
  const kept = new Map();
  return {
    /** @param {string} text @returns {{ statement: import('better-sqlite3').Statement, fresh: boolean }} */
    get(text) {
      const st = kept.get(text);
      if (st) return { statement: st, fresh: false };
      const statement = sqlite.prepare(text);
      if (kept.size >= KEPT_STATEMENTS) kept.clear();
      kept.set(text, statement);
      return { statement, fresh: true };
    },
    size: () => kept.size,
  };
}

/**
 * @param {import('better-sqlite3').Database} sqlite
 * @returns {((units: Statement[][]) => { results: UnitResult[], touched: string[] }) & { kept(): number }}
 *   runs one batch in one transaction; throws when the transaction itself fails (then nothing of it was
 *   written); `kept` is how many prepared statements it holds
 */
export function batchRunner(sqlite) {
  const prepared = statementCache(sqlite);
  /** @param {string} text */
  const prepare = (text) => prepared.get(text).statement;
  const savepoint = sqlite.prepare('savepoint unit');
  const rollbackTo = sqlite.prepare('rollback to unit');
  const release = sqlite.prepare('release unit');
  /** Tables written by the transaction under way ('*' for a write that could change anything). */
  /** @type {Set<string>} */
  let touched = new Set();
  /** @param {Statement[]} statements */
  const runWrites = (statements) =>
    statements.map((s) => {
      const st = prepare(s.sql);
      if (!st.reader) {
        touched.add(s.table ?? '*');
        return st.run(...s.params).changes;
      }
      st.all(...s.params);
      return 0;
    });
  const runBatch = sqlite.transaction(
    /** @param {Statement[][]} units @returns {UnitResult[]} */
    (units) =>
      units.map((statements) => {
        // One statement is atomic on its own: one that fails (a constraint, ABORT) undoes only its own
        // changes and the transaction goes on, so it needs no savepoint. (An acknowledged event is one.)
        const own = statements.length > 1;
        if (own) savepoint.run();
        try {
          const changes = runWrites(statements);
          if (own) release.run();
          return { ok: true, changes };
        } catch (err) {
          // Disk full or an I/O error can make SQLite roll back the whole transaction, not only this unit:
          // then nothing of the batch stands, and every unit in it fails with the original error.
          if (!sqlite.inTransaction) throw err;
          if (own) {
            rollbackTo.run();
            release.run();
          }
          return { ok: false, error: failure(err) };
        }
      }),
  );
  const run = (/** @type {Statement[][]} */ units) => {
    touched = new Set();
    const results = runBatch.immediate(units);
    return { results, touched: [...touched] };
  };
  return Object.assign(run, { kept: prepared.size });
}
