import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases, correctionItems, correctionOrders, extensions, notices } from '../../db/schema';
import { type Case, createDraft, decideCase } from '../../src/cases';
import type { CorrectionOrder, Notice } from '../../src/cases/types';
import { type Store, toStatement } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { completeFacts, env, secretary, subject } from '../cases/fixtures';
import { storeFactories } from '../support/stores';

const ok = <S>(d: { ok: boolean; state?: S; reason?: string }): S => {
  if (!d.ok) throw new Error(d.reason);
  return d.state as S;
};

/** What the tables must hold for a case, derived here from its document without the repository's code. */
function expectedRows(c: Case) {
  const order = c.correction;
  return {
    notices: c.notices
      .map((n) => ({
        id: `${c.id}:${n.id}`,
        caseId: c.id,
        kind: n.kind,
        target: JSON.stringify(n.target),
        dueOn: n.dueOn,
        sentAt: n.sentAt,
        deliveredAt: n.deliveredAt,
        acknowledgedAt: n.acknowledgedAt,
        escalatedAt: n.escalatedAt,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    orders: order
      ? [
          {
            caseId: c.id,
            responsibleOpenId: order.responsible.openId,
            unitId: order.responsible.unitId,
            deadline: order.deadline,
            status: order.status,
          },
        ]
      : [],
    items: order
      ? order.items.map((it, i) => ({ caseId: c.id, position: i, kind: it.kind, text: it.text }))
      : [],
    extensions: order
      ? order.extensions
          .map((e) => ({
            id: `${c.id}:${e.id}`,
            caseId: c.id,
            newDeadline: e.newDeadline,
            status: e.status,
            requestedAt: e.requestedAt,
          }))
          .sort((a, b) => a.id.localeCompare(b.id))
      : [],
  };
}

async function storedRows(store: Store, id: string) {
  const { db } = store;
  return {
    notices: (await db.select().from(notices).where(eq(notices.caseId, id))).sort((a, b) =>
      a.id.localeCompare(b.id),
    ),
    orders: await db.select().from(correctionOrders).where(eq(correctionOrders.caseId, id)),
    items: (await db.select().from(correctionItems).where(eq(correctionItems.caseId, id))).sort(
      (a, b) => a.position - b.position,
    ),
    extensions: (await db.select().from(extensions).where(eq(extensions.caseId, id))).sort((a, b) =>
      a.id.localeCompare(b.id),
    ),
  };
}

const day = fc.integer({ min: 1, max: 28 }).map((d) => `2026-07-${String(d).padStart(2, '0')}`);
const instant = fc.option(
  day.map((d) => `${d}T01:00:00.000Z`),
  { nil: null },
);
const noticeArb = (id: string) =>
  fc
    .record({
      kind: fc.constantFrom<Notice['kind']>('subject', 'unit'),
      dueOn: day,
      sentAt: instant,
      deliveredAt: instant,
      acknowledgedAt: instant,
      escalatedAt: instant,
      user: fc.constantFrom('ou_a', 'ou_b'),
    })
    .map(
      (n): Notice => ({
        id,
        kind: n.kind,
        target: { user: n.user },
        dueOn: n.dueOn,
        attempts: 0,
        lastAttemptAt: null,
        sentAt: n.sentAt,
        deliveredAt: n.deliveredAt,
        failedAt: null,
        lastError: null,
        acknowledgedAt: n.acknowledgedAt,
        escalatedAt: n.escalatedAt,
      }),
    );
const noticesArb = fc
  .subarray(['n1', 'n2', 'n3', 'n4'])
  .chain((ids) => fc.tuple(...ids.map(noticeArb)).map((ns) => ns as Notice[]));
const orderArb = fc.option(
  fc.record({
    openId: fc.constantFrom('ou_a', 'ou_b'),
    unitId: fc.option(fc.constantFrom('enforcement_1', 'office'), { nil: null }),
    deadline: day,
    status: fc.constantFrom<CorrectionOrder['status']>('open', 'completed', 'accepted'),
    items: fc.array(
      fc.record({ kind: fc.constantFrom('rectify', 'return'), text: fc.constantFrom('甲', '乙', '丙') }),
      {
        maxLength: 3,
      },
    ),
    extensions: fc.subarray(['e1', 'e2']).chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc
            .record({ newDeadline: day, status: fc.constantFrom('pending', 'approved', 'rejected') })
            .map((e) => ({
              id,
              ...e,
              requestedAt: '2026-07-01T01:00:00.000Z',
            })),
        ),
      ),
    ),
    remindedOn: fc.array(day, { maxLength: 2 }),
  }),
  { nil: null },
);

/** The parts of a case the projections follow, changed at random between saves. */
const changeArb = fc.record({
  notices: noticesArb,
  order: orderArb,
  status: fc.constantFrom('decided', 'correcting'),
});

type Change = typeof changeArb extends fc.Arbitrary<infer T> ? T : never;

function applyChange(c: Case, ch: Change): Case {
  const order = ch.order;
  return {
    ...c,
    version: c.version + 1,
    status: ch.status as Case['status'],
    notices: ch.notices,
    correction: order
      ? ({
          reason: '事由',
          items: order.items,
          responsible: { openId: order.openId, unitId: order.unitId },
          deadline: order.deadline,
          improveRules: '',
          status: order.status,
          progress: [],
          completion: null,
          extensions: order.extensions,
          returns: [],
          acceptedBy: null,
          acceptedAt: null,
          remindedOn: order.remindedOn,
          lastOverdueReminderOn: null,
          escalatedAt: null,
          setBy: secretary.openId,
          setAt: '2026-07-01T01:00:00.000Z',
        } as unknown as CorrectionOrder)
      : null,
  };
}

describe.each(storeFactories)('projections of a case on $name', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let repo: Repo;
  let seq = 0;
  beforeAll(async () => {
    ({ store, dispose } = await factory.open());
    repo = new Repo(store.db);
  });
  afterAll(async () => dispose());

  async function freshCase(): Promise<Case> {
    seq++;
    let c = ok<Case>(createDraft({ type: 'create_draft', caseId: `case_p${seq}` }, subject, env));
    await store.commit(repo.saveCase(null, c));
    for (const cmd of [
      { type: 'update_facts', patch: completeFacts },
      { type: 'submit', seq },
    ] as const) {
      const next = ok<Case>(decideCase(c, cmd, subject, env));
      await store.commit(repo.saveCase(c, next));
      c = next;
    }
    return c;
  }

  it('notices, the correction order, its items and extensions always match the document, row by row', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeArb, { minLength: 1, maxLength: 6 }), async (changes) => {
        let c = await freshCase();
        for (const ch of changes) {
          const next = applyChange(c, ch);
          await store.commit(repo.saveCase(c, next));
          c = next;
          expect(await storedRows(store, c.id)).toEqual(expectedRows(c));
          const [row] = await store.db.select().from(cases).where(eq(cases.id, c.id));
          expect(row).toMatchObject({ status: c.status, version: c.version, doc: JSON.stringify(c) });
        }
      }),
      { numRuns: 15 },
    );
  });

  it('a change to the document alone sets only the document, the version and the time', async () => {
    const c = await freshCase();
    const next = {
      ...c,
      version: c.version + 1,
      updatedAt: '2026-07-02T01:00:00.000Z',
      subjectName: '张执法（改）',
    };
    const update = repo
      .saveCase(c, next)
      .map((w) => toStatement(w).sql)
      .find((s) => s.startsWith('update "cases"'));
    expect(update).toMatch(/^update "cases" set "doc" = \?, "version" = \?, "updated_at" = \? where/);
    // A change of status sets the status too (its indexes follow it).
    const moved = { ...next, status: 'withdrawn' as const };
    const withStatus = repo
      .saveCase(c, moved)
      .map((w) => toStatement(w).sql)
      .find((s) => s.startsWith('update "cases"'));
    expect(withStatus).toContain('"status" = ?');
    await store.commit(repo.saveCase(c, moved));
    expect(await repo.getCase(c.id)).toEqual(moved);
    const [row] = await store.db.select().from(cases).where(eq(cases.id, c.id));
    expect(row?.status).toBe('withdrawn');
  });
});
