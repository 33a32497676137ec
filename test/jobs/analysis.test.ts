import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../db/schema';
import { readExtraDays, writeExtraDays } from '../../src/bot/calendar-data';
import { addCalendarDays, atBusinessTime, weekdayOf } from '../../src/calendar';
import type { Case } from '../../src/cases/types';
import {
  analysisSince,
  calendarWarningSlot,
  deadlines,
  digestSlot,
  riskCrossings,
  riskSince,
  taxonomyCounts,
} from '../../src/jobs/analysis';
import { defaultPolicy as policy } from '../../src/policy';
import type { EmulatedMessage } from '../../src/sandbox/emulator';
import { Repo } from '../../src/store/repo';
import { readRiskState } from '../../src/store/repo-analysis';
import {
  calendar,
  carriedCase,
  correctingCase,
  determinationCommand,
  run,
  secretary,
  withFindings,
} from '../cases/fixtures';
import { ADMIN, type Harness, startHarness } from '../support/harness';

const D0 = '2025-01-06';
const day = (k: number) => addCalendarDays(D0, k);
const at = (k: number, hour = 10) => atBusinessTime(day(k), hour);

let seq = 100;
/** A case with findings (or a decision) that happened on `occurredOn`, in a category, area and unit. */
function variant(
  base: Case,
  o: { occurredOn: string; category?: string; area?: string; unitId?: string },
): Case {
  const n = ++seq;
  const errorCategory = o.category ?? 'procedure';
  const enforcementArea = o.area ?? 'shelter_maintenance';
  return {
    ...base,
    id: `case-an-${n}`,
    number: `容错〔2025〕${n}号`,
    year: 2025,
    seq: n,
    facts: {
      ...base.facts,
      title: `案件${n}`,
      occurredOn: o.occurredOn,
      errorCategory,
      enforcementArea,
      unitId: o.unitId ?? 'enforcement_1',
    },
    findings: base.findings ? { ...base.findings, errorCategory, enforcementArea } : null,
  };
}

const text = (m: { content: unknown }) => JSON.stringify(m.content);

describe('art. 17 counting (pure)', () => {
  const counts = (cases: Case[], k: number) => taxonomyCounts(cases, day(k), policy);
  const procedure = (cases: Case[], k: number) =>
    counts(cases, k).categories.find((r) => r.id === 'procedure')!;

  it('three cases at day 0, 100 and 179 are within the 180-day window and cross the threshold', () => {
    const cases = [0, 100, 179].map((k) => variant(withFindings(), { occurredOn: day(k) }));
    expect(procedure(cases, 179)).toMatchObject({ pending: 3, errors: 0, tolerated: 0 });
    const r = riskCrossings(counts(cases, 179), { active: {} }, 3, day(179));
    expect(r.crossings.map((x) => [x.key, x.count])).toEqual([
      ['category:procedure', 3],
      ['area:shelter_maintenance', 3],
    ]);
    expect(r.changed).toBe(true);
    // The next day the first case is 180 days old and leaves the window.
    expect(procedure(cases, 180)).toMatchObject({ pending: 2 });
  });

  it('cases spread over 200 days never have three within the window', () => {
    const cases = [0, 100, 200].map((k) => variant(withFindings(), { occurredOn: day(k) }));
    for (const k of [0, 100, 150, 199, 200, 260]) {
      expect(riskCrossings(counts(cases, k), { active: {} }, 3, day(k)).crossings).toEqual([]);
    }
  });

  it('warns once per crossing: a fourth case does not re-warn; falling below and crossing again does', () => {
    const cases = [0, 100, 179].map((k) => variant(withFindings(), { occurredOn: day(k) }));
    const first = riskCrossings(counts(cases, 179), { active: {} }, 3, day(179));
    const more = [...cases, variant(withFindings(), { occurredOn: day(185) })];
    const second = riskCrossings(counts(more, 185), first.next, 3, day(185));
    expect(second).toMatchObject({ crossings: [], changed: false });
    // Day 290: only the cases of day 179 and 185 remain: below the threshold, so the state forgets it.
    const third = riskCrossings(counts(more, 290), second.next, 3, day(290));
    expect(third).toMatchObject({ crossings: [], changed: true, next: { active: {} } });
    const again = [...more, variant(withFindings(), { occurredOn: day(295) })];
    const fourth = riskCrossings(counts(again, 295), third.next, 3, day(295));
    expect(fourth.crossings.map((x) => x.key)).toEqual(['category:procedure', 'area:shelter_maintenance']);
  });

  it('keeps exempt decisions apart from errors; withdrawn cases and drafts do not count', () => {
    const tolerated = variant(correctingCase(), { occurredOn: day(10) });
    const liable = variant(
      run(
        carriedCase('lighter'),
        { ...determinationCommand, outcome: 'lighter', citedItems: ['11.1'] },
        secretary,
      ),
      {
        occurredOn: day(10),
      },
    );
    const withdrawn = { ...variant(withFindings(), { occurredOn: day(10) }), status: 'withdrawn' as const };
    expect(procedure([tolerated, liable, withdrawn], 20)).toMatchObject({
      errors: 1,
      tolerated: 1,
      pending: 0,
    });
  });

  it('risk warnings read changes from the window start; the figures also from 1 January', () => {
    const autumn = atBusinessTime('2026-09-01', 10);
    expect(riskSince(autumn, policy)).toBe(atBusinessTime(addCalendarDays('2026-09-01', -180), 0).getTime());
    expect(analysisSince(autumn, policy)).toBe(atBusinessTime('2026-01-01', 0).getTime());
    const spring = atBusinessTime('2026-03-01', 10);
    expect(analysisSince(spring, policy)).toBe(riskSince(spring, policy));
    expect(riskSince(spring, policy)).toBe(atBusinessTime('2025-09-02', 0).getTime());
  });

  it('the digest is due on Monday from 09:00 Shanghai only', () => {
    const monday = '2025-03-03';
    expect(weekdayOf(monday)).toBe(1);
    expect(digestSlot(atBusinessTime('2025-03-02', 10), policy)).toBeNull();
    expect(digestSlot(atBusinessTime(monday, 8, 59), policy)).toBeNull();
    expect(digestSlot(new Date('2025-03-03T01:00:00Z'), policy)).toBe(`digest:${monday}`);
    expect(digestSlot(atBusinessTime(monday, 23, 59), policy)).toBe(`digest:${monday}`);
    expect(digestSlot(atBusinessTime('2025-03-04', 9), policy)).toBeNull();
  });

  it('the holiday warning is due 60 days before the data ends, from 09:00', () => {
    expect(calendarWarningSlot(atBusinessTime('2026-10-31', 10), policy, calendar)).toBeNull();
    expect(calendarWarningSlot(atBusinessTime('2026-11-01', 8), policy, calendar)).toBeNull();
    expect(calendarWarningSlot(atBusinessTime('2026-11-01', 9), policy, calendar)).toEqual({
      key: 'calendar-warning:2026-12-31',
      dataEndsOn: '2026-12-31',
      daysLeft: 60,
    });
  });

  it('deadlines: passed ones are overdue, those within the horizon upcoming, later ones left out', () => {
    const today = '2025-03-03';
    const inv = (due: string) => ({ ...variant(withFindings(), { occurredOn: today }), decisionDueOn: due });
    const r = deadlines([inv('2025-03-01'), inv('2025-03-10'), inv('2025-04-30')], today, 14);
    expect(r.overdue.map((l) => [l.kind, l.dueOn, l.days])).toEqual([['decision', '2025-03-01', -2]]);
    expect(r.upcoming.map((l) => [l.kind, l.dueOn, l.days])).toEqual([['decision', '2025-03-10', 7]]);
  });
});

const PARTY = 'oc_analysis_party';
const UNIT_E1 = 'oc_analysis_e1';
const UNIT_E2 = 'oc_analysis_e2';

describe('risk warnings through tick', () => {
  let h: Harness;
  const inChat = (chatId: string) => h.emu.messages({ chatId }).filter((m) => m.from === 'app');
  const warnings = (list: EmulatedMessage[]) => list.filter((m) => text(m).includes('易错风险提示'));
  const cases: Record<string, Case> = {};

  beforeAll(async () => {
    h = await startHarness();
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: [ADMIN.openId] });
    h.emu.addChat({ chatId: UNIT_E1, name: '执法一科', members: [ADMIN.openId] });
    h.emu.addChat({ chatId: UNIT_E2, name: '执法二科', members: [ADMIN.openId] });
    const repo = new Repo(h.rt.store.db);
    const by = ADMIN.openId;
    const now = new Date();
    const plan: [string, number, string, string?][] = [
      ['A', 0, 'enforcement_1'],
      ['B', 100, 'enforcement_2'],
      ['C', 179, 'enforcement_1'],
      ['D', 185, 'enforcement_1'],
      ['E', 295, 'enforcement_1'],
      ['S1', 0, 'enforcement_1', 'spread'],
      ['S2', 100, 'enforcement_1', 'spread'],
      ['S3', 200, 'enforcement_1', 'spread'],
    ];
    for (const [name, k, unitId, spread] of plan) {
      cases[name] = variant(withFindings(), {
        occurredOn: day(k),
        unitId,
        ...(spread ? { category: 'evidence', area: 'mobilization' } : {}),
      });
    }
    await h.rt.store.commit([
      repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      repo.bindChat({ chatId: UNIT_E1, kind: 'unit', unitId: 'enforcement_1', by, now }),
      repo.bindChat({ chatId: UNIT_E2, kind: 'unit', unitId: 'enforcement_2', by, now }),
      ...Object.values(cases).flatMap((c) => repo.saveCase(null, c)),
    ]);
  });
  afterAll(async () => h?.close());

  const tick = async (k: number) => {
    const r = await h.rt.service.tick(at(k));
    await h.settle();
    return r.jobs['analysis.risk'];
  };

  it('warns the party group and the units concerned when the third case in 180 days arrives, once', async () => {
    expect(await tick(178)).toBe(0);
    expect(warnings(inChat(PARTY))).toHaveLength(0);

    expect(await tick(179)).toBe(2);
    const [party] = warnings(inChat(PARTY));
    expect(warnings(inChat(PARTY))).toHaveLength(1);
    const t = text(party!);
    expect(t).toContain('第十七条');
    expect(t).toContain('错误类别「程序不规范」');
    expect(t).toContain('执法领域「人防工程维护管理」');
    for (const c of ['A', 'B', 'C']) expect(t).toContain(cases[c]!.number!);
    // Each named with its title and unit, as its document has them.
    for (const c of ['A', 'B', 'C']) expect(t).toContain(cases[c]!.facts.title);
    expect(t).toContain('执法一科');
    expect(t).not.toContain(cases.D!.number!);
    // Units hear counts, not the cases.
    const [e1] = warnings(inChat(UNIT_E1));
    const [e2] = warnings(inChat(UNIT_E2));
    expect(text(e1!)).toContain('其中本科室 2 件');
    expect(text(e2!)).toContain('其中本科室 1 件');
    expect(text(e1!)).not.toContain('容错〔2025〕');

    expect(await tick(179)).toBe(0);
    expect(warnings(inChat(PARTY))).toHaveLength(1);
    expect((await readRiskState(h.rt.store.db)).state.active).toMatchObject({
      'category:procedure': { since: day(179) },
      'area:shelter_maintenance': { since: day(179) },
    });
  });

  it('a fourth case in the window does not warn again; the spread-out category never warns', async () => {
    expect(await tick(185)).toBe(0);
    expect(await tick(200)).toBe(0);
    expect(warnings(inChat(PARTY))).toHaveLength(1);
    const all = inChat(PARTY).map(text).join('\n');
    expect(all).not.toContain('错误类别「调查取证不充分」**：');
  });

  it('after falling below the threshold, reaching it again warns again', async () => {
    expect(await tick(290)).toBe(0);
    expect((await readRiskState(h.rt.store.db)).state.active).toEqual({});
    expect(warnings(inChat(PARTY))).toHaveLength(1);
    expect(await tick(295)).toBe(2);
    const list = warnings(inChat(PARTY));
    expect(list).toHaveLength(2);
    const t = text(list[1]!);
    for (const c of ['C', 'D', 'E']) expect(t).toContain(cases[c]!.number!);
    expect(t).not.toContain(cases.A!.number!);
    const rows = await h.rt.store.db.select().from(audit).where(eq(audit.action, 'analysis.risk_warning'));
    expect(rows.map((r) => r.subject).sort()).toEqual([
      'risk:area:shelter_maintenance',
      'risk:area:shelter_maintenance',
      'risk:category:procedure',
      'risk:category:procedure',
    ]);
  });
});

describe('weekly digest and holiday-data warning through tick', () => {
  let h: Harness;
  const M = '2025-03-03';
  const DEPUTY = { openId: 'ou_analysis_deputy', name: '孙管理' };
  const digests = () =>
    h.emu.messages({ chatId: PARTY }).filter((m) => m.from === 'app' && text(m).includes('容错纠错每周摘要'));

  beforeAll(async () => {
    h = await startHarness();
    h.emu.addUser(DEPUTY);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: [ADMIN.openId] });
    const repo = new Repo(h.rt.store.db);
    const by = ADMIN.openId;
    const now = new Date();
    const occurredOn = addCalendarDays(M, -30);
    const inv = (due: string) => ({ ...variant(withFindings(), { occurredOn }), decisionDueOn: due });
    const tolerated = variant(correctingCase(), { occurredOn });
    const liable = variant(
      run(
        carriedCase('lighter'),
        { ...determinationCommand, outcome: 'lighter', citedItems: ['11.1'] },
        secretary,
      ),
      { occurredOn },
    );
    const cases: Case[] = [
      inv(addCalendarDays(M, 3)),
      inv(addCalendarDays(M, -2)),
      inv(addCalendarDays(M, 30)),
      // Notices all done; correction due in 10 days.
      {
        ...tolerated,
        notices: tolerated.notices.map((n) => ({
          ...n,
          acknowledgedAt: now.toISOString(),
          deliveredAt: now.toISOString(),
        })),
        correction: { ...tolerated.correction!, deadline: addCalendarDays(M, 10) },
      },
      // Correction 5 days overdue, the subject's notice unacknowledged since yesterday.
      {
        ...liable,
        notices: liable.notices.map((n) =>
          n.kind === 'subject'
            ? { ...n, dueOn: addCalendarDays(M, -1), acknowledgedAt: null }
            : { ...n, deliveredAt: now.toISOString() },
        ),
        correction: { ...liable.correction!, deadline: addCalendarDays(M, -5) },
      },
    ];
    await h.rt.store.commit([
      repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      repo.addRole({ ...DEPUTY, role: 'admin', by, now }),
      ...cases.flatMap((c) => repo.saveCase(null, c)),
    ]);
  });
  afterAll(async () => h?.close());

  const tick = async (when: Date) => {
    await h.rt.service.tick(when);
    await h.settle();
  };

  it('goes to the party group on Monday from 09:00 Shanghai, once, with the right counts', async () => {
    await tick(atBusinessTime(addCalendarDays(M, -1), 10)); // Sunday
    await tick(atBusinessTime(M, 8, 59));
    expect(digests()).toHaveLength(0);
    await tick(new Date(`${M}T01:00:00Z`)); // 09:00 Shanghai
    expect(digests()).toHaveLength(1);
    await tick(atBusinessTime(M, 9, 30));
    await tick(atBusinessTime(addCalendarDays(M, 1), 9));
    expect(digests()).toHaveLength(1);

    const card = digests()[0]!.content as {
      body: {
        elements: {
          tag: string;
          content?: string;
          chart_spec?: { data: { values: { name: string; count: number }[] } };
        }[];
      };
    };
    const t = JSON.stringify(card);
    expect(t).toContain('**在办案件**（5 件）');
    expect(t).toContain('核查中 3');
    expect(t).toContain('纠错中 2');
    expect(t).toContain('已逾期</font>**（3 项）');
    expect(t).toContain('认定期限 2025-03-01（已逾期 2 天');
    expect(t).toContain('纠错期限（第十六条） 2025-02-26（已逾期 5 天）');
    expect(t).toContain('告知期限（第十三条） 2025-03-02（已逾期 1 天，1 项告知未完成）');
    expect(t).toContain('未来 14 天内到期**（2 项）');
    expect(t).toContain('认定期限 2025-03-06（还有 3 天');
    expect(t).toContain('纠错期限（第十六条） 2025-03-13（还有 10 天）');
    expect(t).not.toContain('2025-04-02');
    const chart = card.body.elements.find((e) => e.tag === 'chart');
    // 程序不规范: 1 held liable, 1 exempt (kept apart, art. 14), 3 not decided yet.
    expect(chart?.chart_spec?.data.values.map((v) => [v.name, v.count])).toEqual([
      ['程序不规范', 1],
      ['程序不规范', 1],
      ['程序不规范', 3],
    ]);

    await tick(atBusinessTime(addCalendarDays(M, 7), 9));
    expect(digests()).toHaveLength(2);
  });

  it('warns every admin 60 days before the holiday data ends, once per data-end date', async () => {
    // An admin entered 2030: the data now runs to 2030-12-31.
    const stored = await readExtraDays(h.rt.store.db);
    await h.rt.store.commit(
      writeExtraDays(
        h.rt.store.db,
        stored,
        [{ date: '2030-05-01', kind: 'holiday', name: '劳动节' }],
        new Date(),
      ),
    );
    await h.rt.service.bot.syncPolicyData(h.rt.store.db);
    expect(h.rt.service.bot.calendar.dataEndsOn()).toBe('2030-12-31');
    const warned = (openId: string) =>
      h.emu
        .messages({ openId })
        .filter((m) => text(m).includes('国务院办公厅关于2031年部分节假日安排的通知'));

    await tick(atBusinessTime('2030-10-31', 10));
    await tick(atBusinessTime('2030-11-01', 8));
    expect(warned(ADMIN.openId)).toHaveLength(0);
    await tick(atBusinessTime('2030-11-01', 9));
    expect(warned(ADMIN.openId)).toHaveLength(1);
    expect(warned(DEPUTY.openId)).toHaveLength(1);
    expect(text(warned(ADMIN.openId)[0]!)).toContain('节假日 2031-01-01 至 2031-01-03 元旦');
    await tick(atBusinessTime('2030-11-02', 9));
    await tick(atBusinessTime('2030-12-30', 9));
    expect(warned(ADMIN.openId)).toHaveLength(1);
    expect(warned(DEPUTY.openId)).toHaveLength(1);
  });
});
