import { and, desc, eq, inArray, isNotNull, type Placeholder, sql } from 'drizzle-orm';
import {
  cases,
  chatBindings,
  conversations,
  correctionItems,
  correctionOrders,
  determinations,
  extensions,
  kv,
  notices,
  reportAccused,
  reports,
  roster,
  votes,
} from '../../db/schema';
import { caseDate } from '../cases/common';
import type { Case, CaseStatus, Deliberation, Report, Role, Vote } from '../cases/types';
import { guidedConversationOf } from './conversation-keys';
import { type Db, guard, type Write } from './index';
import { kept, prepared } from './prepared';
import { templated } from './templated';

export type BindingKind = 'party' | 'publication' | 'unit';
export interface ChatBinding {
  chatId: string;
  kind: BindingKind;
  unitId: string;
}
export interface RosterEntry {
  openId: string;
  role: Role;
  name: string | null;
}
export interface Conversation {
  openId: string;
  flow: string;
  subjectId: string | null;
  step: string;
  data: Record<string, unknown>;
  cardRef: string | null;
  version: number;
}

const ms = (iso: string) => Date.parse(iso);

/** An aggregate's state from its row's JSON document. */
const docOf = <T>(row: { doc: string } | undefined): T | undefined =>
  row ? (JSON.parse(row.doc) as T) : undefined;

/**
 * A case's columns as read: its document and, while it deliberates, the votes of its current round, which
 * live as rows of their own (one per member and round) so that members voting at once never conflict.
 */
export const caseColumns = {
  doc: cases.doc,
  roundVotes: sql<
    string | null
  >`case when ${cases.status} = 'deliberating' then (select json_group_object(v.voter_open_id, json_object('option', v.option, 'comment', v.comment, 'at', v.at)) from ${votes} v where v.case_id = ${cases.id} and v.round = json_extract(${cases.doc}, '$.deliberation.round')) end`,
};

/** The case from a row read with `caseColumns`: an open round's votes are the rows, not the document's. */
export function caseOf(row: { doc: string; roundVotes: string | null }): Case {
  const c = JSON.parse(row.doc) as Case;
  if (row.roundVotes !== null && c.deliberation?.status === 'open')
    c.deliberation.votes = JSON.parse(row.roundVotes) as Record<string, Vote>;
  return c;
}

/** Passes only while the case row is still at this version (a vote does not change the case row). */
const caseAt = (id: string, version: number): Write => ({
  sql: 'INSERT OR REPLACE INTO commit_guard (id, ok) VALUES (1, (SELECT count(*) FROM cases WHERE id = ? AND version = ?))',
  params: [id, version],
});

/** Passes only while the round's vote rows are exactly the ones read (closing never misses a late vote). */
function votesAsRead(caseId: string, d: Deliberation): Write {
  const read = JSON.stringify(
    Object.entries(d.votes).map(([voter, v]) => [voter, v.option, v.comment, v.at]),
  );
  return {
    sql:
      'INSERT OR REPLACE INTO commit_guard (id, ok) VALUES (1, ' +
      '(SELECT count(*) FROM votes WHERE case_id = ? AND round = ?) = json_array_length(?) AND ' +
      "(SELECT count(*) FROM votes v JOIN json_each(?) j ON v.voter_open_id = json_extract(j.value, '$[0]') " +
      "AND v.option = json_extract(j.value, '$[1]') AND v.comment = json_extract(j.value, '$[2]') " +
      "AND v.at = json_extract(j.value, '$[3]') WHERE v.case_id = ? AND v.round = ?) = json_array_length(?))",
    params: [caseId, d.round, read, read, caseId, d.round, read],
  };
}

/** The one voter whose vote is all that changed between two states of an open round, if that is all. */
function voteOnlyChange(before: Case | null, after: Case): string | undefined {
  const b = before?.deliberation;
  const a = after.deliberation;
  if (!before || !b || !a || b.status !== 'open' || a.status !== 'open' || a.round !== b.round) return;
  const changed = Object.keys(a.votes).filter(
    (k) => JSON.stringify(a.votes[k]) !== JSON.stringify(b.votes[k]),
  );
  if (changed.length !== 1 || Object.keys(b.votes).some((k) => !(k in a.votes))) return;
  const rest = (c: Case) =>
    JSON.stringify({ ...c, version: 0, updatedAt: '', deliberation: { ...c.deliberation, votes: {} } });
  return rest(before) === rest(after) ? changed[0] : undefined;
}

/**
 * A new aggregate is inserted (a twin insert loses), an existing one updated only from the version it was
 * read at; either way the guard turns a lost race into a ConflictError for the whole commit.
 */
function versioned(
  beforeVersion: number | undefined,
  insert: Write,
  update: (version: number) => Write,
): Write[] {
  return [beforeVersion === undefined ? insert : update(beforeVersion), guard];
}

/** The case row's columns that other code queries, as they follow from the document. */
function caseColumnsOf(c: Case) {
  return {
    number: c.number,
    year: c.year,
    seq: c.seq,
    origin: c.origin,
    subjectOpenId: c.subjectOpenId,
    status: c.status,
    unitId: c.facts.unitId,
    errorCategory: c.findings?.errorCategory ?? c.facts.errorCategory,
    enforcementArea: c.findings?.enforcementArea ?? c.facts.enforcementArea,
    decisionDueOn: c.decisionDueOn,
    caseDate: caseDate(c),
  };
}

/**
 * The entries of `after` whose values differ from `before`'s. A column's stored value is the one derived
 * when it last changed: a change to how a column is derived comes with a migration (as `case_date` did).
 */
function changedOnly<T extends Record<string, unknown>>(before: T, after: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(after) as (keyof T)[]) if (!Object.is(before[k], after[k])) out[k] = after[k];
  return out;
}

/**
 * Reads and write-builders for the regulation's records. Reads run at once; writes are returned for the
 * caller to commit together with audit entries and outbox rows (one atomic unit).
 */
export class Repo {
  constructor(readonly db: Db) {}

  // ── cases ──

  async getCase(id: string): Promise<Case | undefined> {
    const q = prepared(this.db, 'getCase', (db) =>
      db
        .select(caseColumns)
        .from(cases)
        .where(eq(cases.id, sql.placeholder('id')))
        .prepare(),
    );
    const [row] = await q.all({ id });
    return row ? caseOf(row) : undefined;
  }

  async caseByNumber(number: string): Promise<Case | undefined> {
    const [row] = await this.db.select(caseColumns).from(cases).where(eq(cases.number, number));
    return row ? caseOf(row) : undefined;
  }

  async casesOfSubject(openId: string, statuses?: CaseStatus[]): Promise<Case[]> {
    const rows = await this.db
      .select(caseColumns)
      .from(cases)
      .where(
        statuses
          ? and(eq(cases.subjectOpenId, openId), inArray(cases.status, statuses))
          : eq(cases.subjectOpenId, openId),
      )
      .orderBy(desc(cases.createdAt));
    return rows.map(caseOf);
  }

  async casesByStatus(statuses: CaseStatus[]): Promise<Case[]> {
    const rows = await this.db
      .select(caseColumns)
      .from(cases)
      .where(inArray(cases.status, statuses))
      .orderBy(desc(cases.createdAt));
    return rows.map(caseOf);
  }

  /** Insert (before = null) or versioned update; either way the commit fails with ConflictError if someone else won. */
  saveCase(before: Case | null, after: Case): Write[] {
    const voter = voteOnlyChange(before, after);
    if (before && voter) return this.saveVote(before, after.deliberation!, voter);
    const row = {
      ...caseColumnsOf(after),
      doc: JSON.stringify(after),
      version: after.version,
      updatedAt: ms(after.updatedAt),
    };
    // An update sets only the columns whose values change (besides the document, version and time): SQLite
    // rewrites an index entry whenever its column is set, even to the same value, and under correction
    // reminders over many cases those index pages were a third of what the writer wrote.
    const set = before
      ? {
          ...changedOnly(caseColumnsOf(before), caseColumnsOf(after)),
          doc: row.doc,
          version: row.version,
          updatedAt: row.updatedAt,
        }
      : row;
    const main = versioned(
      before?.version,
      templated(this.db, 'case.insert', (v) => this.db.insert(cases).values(v).onConflictDoNothing(), {
        id: after.id,
        createdAt: ms(after.createdAt),
        ...row,
      }),
      (version) =>
        templated(
          this.db,
          'case.update',
          ({ id, at, ...columns }) =>
            this.db
              .update(cases)
              .set(columns)
              .where(and(eq(cases.id, id), eq(cases.version, at))),
          { ...set, id: after.id, at: version },
        ),
    );
    const open = before?.deliberation?.status === 'open' ? [votesAsRead(after.id, before.deliberation)] : [];
    return [...main, ...open, ...this.caseProjections(before, after)];
  }

  /**
   * A vote is its own row: it conflicts only with a change to the case (the round closing) or with the same
   * member's other click, never with other members' votes. A new vote that would complete the round must
   * have counted everyone else's right, so exactly one vote learns that all have voted.
   */
  private saveVote(before: Case, d: Deliberation, voter: string): Write[] {
    const v = d.votes[voter]!;
    const previous = before.deliberation!.votes[voter];
    const key = and(eq(votes.caseId, before.id), eq(votes.round, d.round), eq(votes.voterOpenId, voter));
    const others = Object.keys(d.votes).length - 1;
    const row = { option: v.option, comment: v.comment, at: v.at };
    return [
      caseAt(before.id, before.version),
      guard,
      ...(previous
        ? [
            this.db
              .update(votes)
              .set(row)
              .where(
                and(
                  key,
                  eq(votes.option, previous.option),
                  eq(votes.comment, previous.comment),
                  eq(votes.at, previous.at),
                ),
              ),
            guard,
          ]
        : [
            {
              sql:
                'INSERT OR REPLACE INTO commit_guard (id, ok) VALUES (1, (SELECT n = ? OR n + 1 < ? FROM ' +
                '(SELECT count(*) AS n FROM votes WHERE case_id = ? AND round = ? AND voter_open_id <> ?)))',
              params: [others, d.eligibleVoters.length, before.id, d.round, voter],
            },
            this.db
              .insert(votes)
              .values({ caseId: before.id, round: d.round, voterOpenId: voter, ...row })
              .onConflictDoNothing(),
            guard,
          ]),
    ];
  }

  /** Projections of the parts other code queries, rewritten only where they changed (votes row by row). */
  private caseProjections(before: Case | null, c: Case): Write[] {
    const w: Write[] = [];
    // The core changes a case by copying what it changes: a part it left alone is the very same object.
    const same = (x: unknown, y: unknown) => x === y || JSON.stringify(x) === JSON.stringify(y);
    const voteMap = (k: Case | null) =>
      new Map(
        (k ? [...k.previousRounds, ...(k.deliberation ? [k.deliberation] : [])] : []).flatMap((d) =>
          Object.entries(d.votes).map(
            ([voter, v]) => [`${d.round}|${voter}`, { round: d.round, voter, v }] as const,
          ),
        ),
      );
    // Votes are compared vote by vote only when a round changed: most changes leave every round as it was.
    if (!before || before.deliberation !== c.deliberation || before.previousRounds !== c.previousRounds) {
      const was = voteMap(before);
      const now = voteMap(c);
      for (const [key, { round, voter }] of was) {
        if (!now.has(key)) {
          w.push(
            this.db
              .delete(votes)
              .where(and(eq(votes.caseId, c.id), eq(votes.round, round), eq(votes.voterOpenId, voter))),
          );
        }
      }
      for (const [key, { round, voter, v }] of now) {
        if (same(was.get(key)?.v, v)) continue;
        const row = { option: v.option, comment: v.comment, at: v.at };
        w.push(
          this.db
            .insert(votes)
            .values({ caseId: c.id, round, voterOpenId: voter, ...row })
            .onConflictDoUpdate({ target: [votes.caseId, votes.round, votes.voterOpenId], set: row }),
        );
      }
    }
    const d = c.determination;
    if (!before || !same(before.determination, d)) {
      w.push(this.db.delete(determinations).where(eq(determinations.caseId, c.id)));
      if (d) {
        w.push(
          this.db.insert(determinations).values({
            caseId: c.id,
            outcome: d.outcome,
            basis: d.basis,
            citedItems: JSON.stringify(d.citedItems),
            notErrorRecord: d.notErrorRecord ? 1 : 0,
            publicationScope: d.publication.scope,
            correctionRequired: d.correctionRequired ? 1 : 0,
            issuedBy: d.issuedBy,
            issuedAt: d.issuedAt,
          }),
        );
      }
    }
    if (!before || !same(before.notices, c.notices)) {
      // Row by row, and only the columns that change (each is indexed for a job's query).
      const noticeRow = (n: Case['notices'][number]) => ({
        kind: n.kind,
        target: JSON.stringify(n.target),
        dueOn: n.dueOn,
        sentAt: n.sentAt,
        deliveredAt: n.deliveredAt,
        acknowledgedAt: n.acknowledgedAt,
        escalatedAt: n.escalatedAt,
      });
      const was = new Map((before?.notices ?? []).map((n) => [n.id, noticeRow(n)]));
      for (const n of c.notices) {
        // Notice ids are per case (n1, n2, …).
        const id = `${c.id}:${n.id}`;
        const row = noticeRow(n);
        const old = was.get(n.id);
        was.delete(n.id);
        if (!old) {
          w.push(
            templated(this.db, 'notice.insert', (v) => this.db.insert(notices).values(v), {
              id,
              caseId: c.id,
              ...row,
            }),
          );
          continue;
        }
        const changed = changedOnly(old, row);
        if (Object.keys(changed).length === 0) continue;
        w.push(
          templated(
            this.db,
            'notice.update',
            ({ key, ...set }) => this.db.update(notices).set(set).where(eq(notices.id, key)),
            { ...changed, key: id },
          ),
        );
      }
      for (const gone of was.keys()) w.push(this.db.delete(notices).where(eq(notices.id, `${c.id}:${gone}`)));
    }
    const o = c.correction;
    const p = before?.correction ?? null;
    if (!before || !same(p, o)) {
      const orderRow = (x: NonNullable<Case['correction']>) => ({
        responsibleOpenId: x.responsible.openId,
        unitId: x.responsible.unitId,
        deadline: x.deadline,
        status: x.status,
      });
      // Without an order before (or after), its rows go: none should be there, and none may stay.
      if (before && (!o || !p))
        w.push(
          this.db.delete(correctionOrders).where(eq(correctionOrders.caseId, c.id)),
          this.db.delete(correctionItems).where(eq(correctionItems.caseId, c.id)),
          this.db.delete(extensions).where(eq(extensions.caseId, c.id)),
        );
      if (o) {
        if (!p) {
          w.push(
            templated(this.db, 'order.insert', (v) => this.db.insert(correctionOrders).values(v), {
              caseId: c.id,
              ...orderRow(o),
            }),
          );
        } else {
          const changed = changedOnly(orderRow(p), orderRow(o));
          if (Object.keys(changed).length > 0)
            w.push(
              templated(
                this.db,
                'order.update',
                ({ key, ...set }) =>
                  this.db.update(correctionOrders).set(set).where(eq(correctionOrders.caseId, key)),
                { ...changed, key: c.id },
              ),
            );
        }
        if (!p || !same(p.items, o.items)) {
          if (p) w.push(this.db.delete(correctionItems).where(eq(correctionItems.caseId, c.id)));
          o.items.forEach((it, i) => {
            w.push(
              templated(this.db, 'order_item.insert', (v) => this.db.insert(correctionItems).values(v), {
                caseId: c.id,
                position: i,
                kind: it.kind,
                text: it.text,
              }),
            );
          });
        }
        if (!p || !same(p.extensions, o.extensions)) {
          if (p) w.push(this.db.delete(extensions).where(eq(extensions.caseId, c.id)));
          for (const e of o.extensions) {
            w.push(
              this.db.insert(extensions).values({
                id: `${c.id}:${e.id}`,
                caseId: c.id,
                newDeadline: e.newDeadline,
                status: e.status,
                requestedAt: e.requestedAt,
              }),
            );
          }
        }
      }
    }
    return w;
  }

  // ── reports ──

  async getReport(id: string): Promise<Report | undefined> {
    const [row] = await this.db.select({ doc: reports.doc }).from(reports).where(eq(reports.id, id));
    return docOf<Report>(row);
  }

  async reportByQueryHash(hash: string): Promise<Report | undefined> {
    const [row] = await this.db
      .select({ doc: reports.doc })
      .from(reports)
      .where(eq(reports.queryCodeHash, hash));
    return docOf<Report>(row);
  }

  /** The newest real-name reports this person filed (a repeated 确认提交 is answered with what it filed). */
  async realNameReportsBy(openId: string, limit = 50): Promise<Report[]> {
    const rows = await this.db
      .select({ doc: reports.doc })
      .from(reports)
      .where(eq(reports.realName, 1))
      .orderBy(desc(reports.createdAt))
      .limit(limit);
    return rows.map((r) => docOf<Report>(r)!).filter((r) => r.reporterOpenId === openId);
  }

  async openReports(): Promise<Report[]> {
    const rows = await this.db
      .select({ doc: reports.doc })
      .from(reports)
      .where(inArray(reports.status, ['filed', 'investigating', 'concluded']))
      .orderBy(desc(reports.createdAt));
    return rows.map((r) => docOf<Report>(r)!);
  }

  saveReport(before: Report | null, after: Report): Write[] {
    const row = {
      number: after.number,
      year: after.year,
      seq: after.seq,
      status: after.status,
      realName: after.realName ? 1 : 0,
      queryCodeHash: after.queryCodeHash ?? null,
      doc: JSON.stringify(after),
      version: after.version,
      updatedAt: ms(after.updatedAt),
    };
    const main = versioned(
      before?.version,
      this.db
        .insert(reports)
        .values({ id: after.id, createdAt: ms(after.createdAt), ...row })
        .onConflictDoNothing(),
      (v) =>
        this.db
          .update(reports)
          .set(row)
          .where(and(eq(reports.id, after.id), eq(reports.version, v))),
    );
    return [
      ...main,
      this.db.delete(reportAccused).where(eq(reportAccused.reportId, after.id)),
      ...after.accused.map((openId) => this.db.insert(reportAccused).values({ reportId: after.id, openId })),
    ];
  }

  // ── sequences (case numbers per year) ──

  /** The next number of a sequence and the write that claims it (fails on a race; retry). */
  async nextSeq(name: string, now: Date): Promise<{ value: number; write: Write[] }> {
    const key = `seq:${name}`;
    const [row] = await this.db.select().from(kv).where(eq(kv.key, key));
    if (!row) {
      return {
        value: 1,
        // Two first claims race on the insert; the loser conflicts and retries like any other.
        write: [
          this.db
            .insert(kv)
            .values({ key, value: '1', version: 1, updatedAt: now.getTime() })
            .onConflictDoNothing(),
          guard,
        ],
      };
    }
    const value = Number(row.value) + 1;
    return {
      value,
      write: [
        this.db
          .update(kv)
          .set({ value: String(value), version: row.version + 1, updatedAt: now.getTime() })
          .where(and(eq(kv.key, key), eq(kv.version, row.version))),
        guard,
      ],
    };
  }

  // ── roster and chats ──

  // Like conversations: within one attempt at one event the first read of someone's roles is the answer.
  private roles = new Map<string, Promise<Role[]>>();

  rolesOf(openId: string): Promise<Role[]> {
    let hit = this.roles.get(openId);
    if (!hit) {
      hit = this.loadRoles(openId);
      this.roles.set(openId, hit);
    }
    return hit.then((r) => [...r]);
  }

  /** The query behind rolesOf, for reading it in one batch with others (or prepared, with a placeholder). */
  rolesQuery(openId: string | Placeholder) {
    return this.db.select({ role: roster.role }).from(roster).where(eq(roster.openId, openId));
  }

  private async loadRoles(openId: string): Promise<Role[]> {
    const q = prepared(this.db, 'rolesOf', () => this.rolesQuery(sql.placeholder('openId')).prepare());
    return rolesFrom(await q.all({ openId }));
  }

  /**
   * What a read made outside this Repo found for this unit (one D1 batch, or the SQLite process's cache
   * of an unchanged table): later reads of the same person here answer from it.
   */
  seed(openId: string, found: { roles?: Role[]; conversation?: Conversation | null }): void {
    if (found.roles) this.roles.set(openId, Promise.resolve(found.roles));
    if (found.conversation !== undefined)
      this.conversations.set(openId, Promise.resolve(found.conversation ?? undefined));
  }

  async roster(): Promise<RosterEntry[]> {
    const rows = await this.db.select().from(roster).orderBy(roster.role, roster.addedAt);
    return rows.map((r) => ({ openId: r.openId, role: r.role, name: r.name }));
  }

  /** Display names by open id: the first named row of each person, by role and when added (as `roster()`). */
  async rosterNames(): Promise<Record<string, string>> {
    const q = prepared(this.db, 'rosterNames', (db) =>
      db
        .select({ openId: roster.openId, name: roster.name })
        .from(roster)
        .where(isNotNull(roster.name))
        .orderBy(roster.role, roster.addedAt)
        .prepare(),
    );
    const out: Record<string, string> = {};
    for (const r of await q.all()) if (r.name && !(r.openId in out)) out[r.openId] = r.name;
    return out;
  }

  /** A role's members, shared with every other reader until the roster changes: read it, never change it. */
  async withRole(role: Role): Promise<readonly Readonly<RosterEntry>[]> {
    const q = prepared(this.db, 'withRole', (db) =>
      db
        .select({ openId: roster.openId, role: roster.role, name: roster.name })
        .from(roster)
        .where(eq(roster.role, sql.placeholder('role')))
        .prepare(),
    );
    // Frozen once as read, not copied at every call: a job asks this of every due case.
    return kept(this.db, 'roster', role, async () =>
      Object.freeze((await q.all({ role })).map((r) => Object.freeze(r))),
    );
  }

  addRole(p: { openId: string; role: Role; name: string | null; by: string; now: Date }): Write {
    return this.db
      .insert(roster)
      .values({ openId: p.openId, role: p.role, name: p.name, addedBy: p.by, addedAt: p.now.getTime() })
      .onConflictDoUpdate({ target: [roster.openId, roster.role], set: { name: p.name } });
  }

  removeRoles(openId: string, roles?: Role[]): Write {
    return this.db
      .delete(roster)
      .where(roles ? and(eq(roster.openId, openId), inArray(roster.role, roles)) : eq(roster.openId, openId));
  }

  async bindings(): Promise<ChatBinding[]> {
    const rows = await this.db.select().from(chatBindings);
    return rows.map((r) => ({ chatId: r.chatId, kind: r.kind as BindingKind, unitId: r.unitId }));
  }

  async chatFor(kind: BindingKind, unitId = ''): Promise<string | undefined> {
    const q = prepared(this.db, 'chatFor', (db) =>
      db
        .select({ chatId: chatBindings.chatId })
        .from(chatBindings)
        .where(
          and(
            eq(chatBindings.kind, sql.placeholder('kind')),
            eq(chatBindings.unitId, sql.placeholder('unitId')),
          ),
        )
        .prepare(),
    );
    const [row] = await kept(this.db, 'chat_bindings', `${kind}\u0000${unitId}`, async () =>
      q.all({ kind, unitId }),
    );
    return row?.chatId;
  }

  bindChat(p: { chatId: string; kind: BindingKind; unitId?: string; by: string; now: Date }): Write {
    const unitId = p.unitId ?? '';
    return this.db
      .insert(chatBindings)
      .values({ chatId: p.chatId, kind: p.kind, unitId, boundBy: p.by, boundAt: p.now.getTime() })
      .onConflictDoUpdate({
        target: [chatBindings.kind, chatBindings.unitId],
        set: { chatId: p.chatId, boundBy: p.by, boundAt: p.now.getTime() },
      });
  }

  unbindChat(chatId: string): Write {
    return this.db.delete(chatBindings).where(eq(chatBindings.chatId, chatId));
  }

  // ── conversations ──

  // One event reads a person's conversation from several features; its own writes land only at commit,
  // so within one Repo (one attempt at one event) the first read is the answer.
  private conversations = new Map<string, Promise<Conversation | undefined>>();

  conversation(openId: string): Promise<Conversation | undefined> {
    let hit = this.conversations.get(openId);
    if (!hit) {
      hit = this.loadConversation(openId);
      this.conversations.set(openId, hit);
    }
    return hit.then((c) => (c ? structuredClone(c) : undefined));
  }

  /** The query behind conversation, for reading it in one batch with others (or prepared, with a placeholder). */
  conversationQuery(openId: string | Placeholder) {
    return this.db.select().from(conversations).where(guidedConversationOf(openId));
  }

  private async loadConversation(openId: string): Promise<Conversation | undefined> {
    const q = prepared(this.db, 'conversationOf', () =>
      this.conversationQuery(sql.placeholder('openId')).prepare(),
    );
    return conversationFrom(await q.all({ openId }));
  }

  saveConversation(
    before: Conversation | undefined,
    after: Omit<Conversation, 'version'>,
    now: Date,
  ): Write[] {
    const row = {
      flow: after.flow,
      subjectId: after.subjectId,
      step: after.step,
      data: JSON.stringify(after.data),
      cardRef: after.cardRef,
      updatedAt: now.getTime(),
    };
    if (!before) {
      return [
        this.db
          .insert(conversations)
          .values({ openId: after.openId, version: 1, ...row })
          .onConflictDoNothing(),
        guard,
      ];
    }
    return [
      this.db
        .update(conversations)
        .set({ ...row, version: before.version + 1 })
        .where(and(guidedConversationOf(before.openId), eq(conversations.version, before.version))),
      guard,
    ];
  }

  endConversation(openId: string): Write {
    return this.db.delete(conversations).where(guidedConversationOf(openId));
  }
}

export function rolesFrom(rows: { role: Role }[]): Role[] {
  return rows.map((r) => r.role);
}

export function conversationFrom(rows: (typeof conversations.$inferSelect)[]): Conversation | undefined {
  const [row] = rows;
  return row
    ? {
        openId: row.openId,
        flow: row.flow,
        subjectId: row.subjectId,
        step: row.step,
        data: JSON.parse(row.data) as Record<string, unknown>,
        cardRef: row.cardRef,
        version: row.version,
      }
    : undefined;
}
