import { type DeadlineLine, type DigestCardData, digestCard } from '../../cards/digest';
import { calendarWarningCard } from '../../cards/holidays';
import { type RiskGroup, riskWarningCard } from '../../cards/risk';
import { type RiskLine, rowTotal, type StatsCardData, type TaxonomyRow } from '../../cards/stats';
import { Ctx } from '../bot/context';
import {
  addCalendarDays,
  atBusinessTime,
  type BusinessCalendar,
  businessDate,
  calendarDataWarning,
  calendarDaysBetween,
  weekdayOf,
} from '../calendar';
import { caseDate, STATUS_LABEL } from '../cases/common';
import { type Case, type CaseStatus, SYSTEM_OPEN_ID } from '../cases/types';
import type { Named, Policy } from '../policy';
import { Repo } from '../store/repo';
import {
  casesForAnalysis,
  type RiskFacts,
  type RiskState,
  readRiskState,
  riskCasesInWindow,
  riskFactsInWindow,
  writeRiskState,
} from '../store/repo-analysis';
import { remember, remembered } from '../store/repo-deliberation';
import type { Job } from './types';

// ───────────────────────────── pure: what the figures are ─────────────────────────────

/**
 * Art. 14: a determination within the policy's `notAnErrorOutcomes` (as in force when it was issued, and
 * recorded on it) is not an enforcement error, so statistics keep it apart.
 */
export type CaseKind = 'errors' | 'tolerated' | 'pending';

export function caseKind(c: Case): CaseKind {
  return kindOf(c.determination?.notErrorRecord ?? null);
}

/** The kind from art. 14's flag as recorded on the determination; null while the case has none. */
function kindOf(notErrorRecord: boolean | null): CaseKind {
  if (notErrorRecord === null) return 'pending';
  return notErrorRecord ? 'tolerated' : 'errors';
}

export { caseDate };

const OPEN: CaseStatus[] = ['submitted', 'investigating', 'deliberating', 'decided', 'correcting'];

/** Cases the art. 17 analysis counts: not drafts, not withdrawn, happened within the last `windowDays` days. */
export function inWindow(c: Case, today: string, windowDays: number): boolean {
  return factsInWindow(riskFactsOf(c), today, windowDays);
}

function factsInWindow(f: RiskFacts, today: string, windowDays: number): boolean {
  if (f.status === 'draft' || f.status === 'withdrawn' || f.caseDate === null) return false;
  const age = calendarDaysBetween(f.caseDate, today);
  return age >= 0 && age < windowDays;
}

/** What the counting reads of a case: the same values its row's columns hold (`riskFactsInWindow`). */
export function riskFactsOf(c: Case): RiskFacts {
  return {
    id: c.id,
    status: c.status,
    caseDate: caseDate(c),
    errorCategory: c.findings?.errorCategory ?? c.facts.errorCategory,
    enforcementArea: c.findings?.enforcementArea ?? c.facts.enforcementArea,
    notErrorRecord: c.determination?.notErrorRecord ?? null,
  };
}

export interface TaxonomyCount extends TaxonomyRow {
  caseIds: string[];
}

function countBy(cases: RiskFacts[], list: Named[], key: (c: RiskFacts) => string | null): TaxonomyCount[] {
  const rows = new Map<string, TaxonomyCount>(
    list.map((n) => [n.id, { id: n.id, name: n.name, errors: 0, tolerated: 0, pending: 0, caseIds: [] }]),
  );
  for (const c of cases) {
    const id = key(c);
    if (!id) continue;
    // A category the policy no longer lists still counts, under its id.
    const row = rows.get(id) ?? { id, name: id, errors: 0, tolerated: 0, pending: 0, caseIds: [] };
    rows.set(id, row);
    row[kindOf(c.notErrorRecord)]++;
    row.caseIds.push(c.id);
  }
  return [...rows.values()];
}

/** Cases per error category and per enforcement area within the risk window, exempt ones apart. */
export function taxonomyCounts(cases: Case[], today: string, policy: Policy) {
  return riskCounts(cases.map(riskFactsOf), today, policy);
}

/** The same counts from what the cases' columns say of them. */
export function riskCounts(facts: RiskFacts[], today: string, policy: Policy) {
  const recent = facts.filter((f) => factsInWindow(f, today, policy.risk.windowDays));
  return {
    categories: countBy(recent, policy.errorCategories, (f) => f.errorCategory),
    areas: countBy(recent, policy.enforcementAreas, (f) => f.enforcementArea),
  };
}

export interface RiskCrossing extends RiskLine {
  key: string;
  caseIds: string[];
}

/**
 * Art. 17 warnings, once per crossing: a group (`category:<id>` / `area:<id>`) at or over the threshold
 * that was not already warned about is a new crossing; a warned group that fell below is forgotten, so
 * reaching the threshold again warns again. A further case while the group stays over does not.
 */
export function riskCrossings(
  counts: { categories: TaxonomyCount[]; areas: TaxonomyCount[] },
  state: RiskState,
  threshold: number,
  today: string,
): { crossings: RiskCrossing[]; next: RiskState; changed: boolean } {
  const groups = [
    ...counts.categories.map((r) => ({ dimension: 'category' as const, r })),
    ...counts.areas.map((r) => ({ dimension: 'area' as const, r })),
  ];
  const active: RiskState['active'] = {};
  const crossings: RiskCrossing[] = [];
  let changed = false;
  for (const { dimension, r } of groups) {
    const key = `${dimension}:${r.id}`;
    const count = rowTotal(r);
    const was = state.active[key];
    if (count < threshold) {
      if (was) changed = true;
      continue;
    }
    if (was) {
      active[key] = was;
      continue;
    }
    active[key] = { since: today, caseIds: r.caseIds };
    crossings.push({ key, dimension, name: r.name, count, caseIds: r.caseIds });
    changed = true;
  }
  // Groups whose id left the policy and the counts altogether are dropped too.
  for (const key of Object.keys(state.active)) if (!(key in active)) changed = true;
  return { crossings, next: { active }, changed };
}

/** Groups at or over the threshold now, for the digest and 统计. */
export function currentRisks(
  counts: { categories: TaxonomyCount[]; areas: TaxonomyCount[] },
  threshold: number,
): RiskLine[] {
  return [
    ...counts.categories.map((r) => ({ dimension: 'category' as const, r })),
    ...counts.areas.map((r) => ({ dimension: 'area' as const, r })),
  ]
    .filter(({ r }) => rowTotal(r) >= threshold)
    .map(({ dimension, r }) => ({ dimension, name: r.name, count: rowTotal(r) }));
}

/** The digest's key when `now` is the digest weekday at or after its hour (Asia/Shanghai); otherwise null. */
export function digestSlot(now: Date, policy: Policy): string | null {
  const today = businessDate(now);
  if (weekdayOf(today) !== policy.digest.weekday % 7) return null;
  if (now < atBusinessTime(today, policy.digest.hour)) return null;
  return `digest:${today}`;
}

/** The calendar warning's key when admins should hear that the holiday data runs out; otherwise null. */
export function calendarWarningSlot(
  now: Date,
  policy: Policy,
  cal: BusinessCalendar,
): { key: string; dataEndsOn: string; daysLeft: number } | null {
  const today = businessDate(now);
  if (now < atBusinessTime(today, policy.correction.reminderHour)) return null;
  const w = calendarDataWarning(cal, today, policy.calendar.warnDaysBeforeDataEnds);
  return w ? { key: `calendar-warning:${w.dataEndsOn}`, ...w } : null;
}

/** Days ahead the digest lists deadlines for. */
export const DIGEST_HORIZON_DAYS = 14;

const numberOf = (c: { number: string | null }) => c.number ?? '（未编号）';

/** Decision, notice and correction deadlines of open cases: those passed and those within `horizonDays`. */
export function deadlines(
  cases: Case[],
  today: string,
  horizonDays: number,
): { upcoming: DeadlineLine[]; overdue: DeadlineLine[] } {
  const all: DeadlineLine[] = [];
  const line = (c: Case, kind: DeadlineLine['kind'], dueOn: string, note?: string): DeadlineLine => ({
    kind,
    caseNumber: numberOf(c),
    title: c.facts.title,
    dueOn,
    days: calendarDaysBetween(today, dueOn),
    ...(note ? { note } : {}),
  });
  for (const c of cases) {
    if ((c.status === 'investigating' || c.status === 'deliberating') && c.decisionDueOn)
      all.push(line(c, 'decision', c.decisionDueOn, STATUS_LABEL[c.status]));
    const open = c.notices.filter((n) =>
      n.kind === 'subject' ? !n.acknowledgedAt : !n.sentAt && !n.deliveredAt,
    );
    if (open.length > 0 && c.status !== 'withdrawn') {
      const due = open.map((n) => n.dueOn).sort()[0] as string;
      all.push(line(c, 'notice', due, `${open.length} 项告知未完成`));
    }
    const o = c.correction;
    if (o && o.status === 'open' && c.status !== 'closed') {
      const pending = o.extensions.some((e) => e.status === 'pending');
      all.push(line(c, 'correction', o.deadline, pending ? '有延期申请待审批' : undefined));
    }
  }
  const byDate = (a: DeadlineLine, b: DeadlineLine) =>
    a.dueOn.localeCompare(b.dueOn) || a.caseNumber.localeCompare(b.caseNumber);
  return {
    overdue: all.filter((l) => l.days < 0).sort(byDate),
    upcoming: all.filter((l) => l.days >= 0 && l.days <= horizonDays).sort(byDate),
  };
}

export function openByStatus(cases: Case[]): { label: string; count: number }[] {
  return OPEN.map((s) => ({ label: STATUS_LABEL[s], count: cases.filter((c) => c.status === s).length }));
}

/** The earliest instant whose changes the risk warnings must see: the risk window's start. */
export function riskSince(now: Date, policy: Policy): number {
  return atBusinessTime(addCalendarDays(businessDate(now), -policy.risk.windowDays), 0).getTime();
}

/** The dates a case may have happened on to count in the art. 17 window ending `today` (see `inWindow`). */
export function riskWindow(today: string, policy: Policy): { from: string; to: string } {
  return { from: addCalendarDays(today, 1 - policy.risk.windowDays), to: today };
}

/** The earliest instant whose changes the analysis must see: the risk window's start or 1 January. */
export function analysisSince(now: Date, policy: Policy): number {
  const yearStart = atBusinessTime(`${businessDate(now).slice(0, 4)}-01-01`, 0).getTime();
  return Math.min(riskSince(now, policy), yearStart);
}

const inYear = (instant: string | null, year: string) =>
  instant !== null && businessDate(new Date(instant)).startsWith(year);

export function digestData(cases: Case[], now: Date, policy: Policy): Omit<DigestCardData, 'orgName'> {
  const today = businessDate(now);
  const counts = taxonomyCounts(cases, today, policy);
  return {
    weekOf: today,
    open: openByStatus(cases),
    horizonDays: DIGEST_HORIZON_DAYS,
    ...deadlines(cases, today, DIGEST_HORIZON_DAYS),
    windowDays: policy.risk.windowDays,
    threshold: policy.risk.threshold,
    categories: counts.categories,
    areas: counts.areas,
    risks: currentRisks(counts, policy.risk.threshold),
  };
}

/** 统计: the current figures; exempt decisions are counted apart from errors (art. 14). */
export function statsFigures(cases: Case[], now: Date, policy: Policy): Omit<StatsCardData, 'orgName'> {
  const today = businessDate(now);
  const year = today.slice(0, 4);
  const decided = cases.filter((c) => c.determination && inYear(c.determination.issuedAt, year));
  const outcome = (o: string) => decided.filter((c) => c.determination?.outcome === o);
  const exempt = outcome('exempt');
  const counts = taxonomyCounts(cases, today, policy);
  const orders = cases.flatMap((c) => (c.correction ? [c.correction] : []));
  return {
    asOf: today,
    year: Number(year),
    windowDays: policy.risk.windowDays,
    threshold: policy.risk.threshold,
    open: openByStatus(cases),
    yearFigures: {
      submitted: cases.filter((c) => inYear(c.submittedAt, year)).length,
      decided: decided.length,
      dutyExempt: exempt.filter((c) => c.determination?.basis === 'duty').length,
      toleranceExempt: exempt.filter((c) => c.determination?.basis !== 'duty').length,
      notError: decided.filter((c) => caseKind(c) === 'tolerated').length,
      liable: decided.filter((c) => caseKind(c) === 'errors').length,
      lighter: outcome('lighter').length,
      mitigate: outcome('mitigate').length,
      refuse: outcome('refuse').length,
      closed: cases.filter((c) => c.status === 'closed' && inYear(c.closedAt, year)).length,
      withdrawn: cases.filter((c) => c.status === 'withdrawn' && inYear(c.withdrawnAt, year)).length,
    },
    corrections: {
      open: orders.filter((o) => o.status === 'open').length,
      overdue: orders.filter((o) => o.status === 'open' && o.deadline < today).length,
      awaitingAcceptance: orders.filter((o) => o.status === 'completed').length,
      acceptedThisYear: orders.filter((o) => o.status === 'accepted' && inYear(o.acceptedAt, year)).length,
    },
    categories: counts.categories,
    areas: counts.areas,
    risks: currentRisks(counts, policy.risk.threshold),
    notErrorScope: policy.notAnErrorOutcomes
      .map((o) => policy.voteOptions.find((v) => v.id === o)?.label ?? o)
      .join('、'),
  };
}

// ───────────────────────────── shell: the jobs ─────────────────────────────

/** The party group's chat, or its members directly when no chat is bound yet. */
export async function partyDestinations(ctx: Ctx): Promise<({ chatId: string } | { openId: string })[]> {
  const chatId = await ctx.repo.chatFor('party');
  if (chatId) return [{ chatId }];
  const members = new Set<string>();
  for (const role of ['party_member', 'secretary'] as const)
    for (const r of await ctx.repo.withRole(role)) members.add(r.openId);
  return [...members].map((openId) => ({ openId }));
}

const unitName = (policy: Policy, id: string | null) =>
  (id && policy.units.find((u) => u.id === id)?.name) || '未填写科室';

/** Art. 17 risk warnings: to the party group and the chats of the units concerned, once per crossing. */
export const riskWarningJob: Job = {
  name: 'analysis.risk',
  async run({ store, bot, runUnit }, now) {
    const today = businessDate(now);
    // Only the cases that happened within the window can count in it: an index range, not every open case.
    const window = riskWindow(today, bot.policy);
    // A cheap look first: most ticks change nothing.
    const first = riskCrossings(
      riskCounts(await riskFactsInWindow(store.db, window.from, window.to), today, bot.policy),
      (await readRiskState(store.db)).state,
      bot.policy.risk.threshold,
      today,
    );
    if (!first.changed) return 0;
    let sent = 0;
    await runUnit(
      'analysis:risk',
      async (fx) => {
        const ctx = new Ctx(fx, new Repo(fx.db), bot);
        const { policy } = bot;
        const stored = await readRiskState(fx.db);
        // Read again here (this runs only when the look above saw a change), with what a warning names its
        // cases by: its figures and its names come from the one read.
        const cases = await riskCasesInWindow(fx.db, window.from, window.to);
        const r = riskCrossings(riskCounts(cases, today, policy), stored.state, policy.risk.threshold, today);
        if (!r.changed) return;
        fx.write(...writeRiskState(fx.db, stored, r.next, now));
        sent = r.crossings.length;
        fx.outcome = r.crossings.length ? `risk:${r.crossings.map((x) => x.key).join(',')}` : 'risk:cleared';
        if (r.crossings.length === 0) return;
        const byId = new Map(cases.map((c) => [c.id, c]));
        const groups = r.crossings.map((x) => {
          const members = x.caseIds.flatMap((id) => byId.get(id) ?? []);
          fx.audit({
            actor: SYSTEM_OPEN_ID,
            action: 'analysis.risk_warning',
            subject: `risk:${x.key}`,
            before: null,
            after: { count: x.count, caseIds: x.caseIds, windowDays: policy.risk.windowDays },
          });
          return { x, members };
        });
        const base = {
          orgName: policy.orgName,
          asOf: today,
          windowDays: policy.risk.windowDays,
          threshold: policy.risk.threshold,
        };
        const partyGroups: RiskGroup[] = groups.map(({ x, members }) => ({
          dimension: x.dimension,
          name: x.name,
          count: x.count,
          tolerated: members.filter((c) => kindOf(c.notErrorRecord) === 'tolerated').length,
          cases: members
            .map((c) => ({
              number: numberOf(c),
              title: c.title,
              occurredOn: c.caseDate ?? '',
              unitName: unitName(policy, c.unitId),
            }))
            .sort((a, b) => a.occurredOn.localeCompare(b.occurredOn)),
        }));
        const party = riskWarningCard({ ...base, audience: { kind: 'party' }, groups: partyGroups });
        for (const to of await partyDestinations(ctx)) fx.send(to, party);
        const units = new Set(groups.flatMap(({ members }) => members.flatMap((c) => c.unitId ?? [])));
        for (const unitId of [...units].sort()) {
          const chatId = await ctx.repo.chatFor('unit', unitId);
          if (!chatId) continue;
          const mine = partyGroups.flatMap((g, i) => {
            const own = groups[i]?.members.filter((c) => c.unitId === unitId).length ?? 0;
            return own > 0 ? [{ ...g, cases: [], unitCount: own }] : [];
          });
          fx.send(
            { chatId },
            riskWarningCard({
              ...base,
              audience: { kind: 'unit', unitName: unitName(policy, unitId) },
              groups: mine,
            }),
          );
        }
      },
      now,
    );
    return sent;
  },
};

/** The weekly digest to the party group, once on the digest weekday from its hour (default Monday 09:00). */
export const digestJob: Job = {
  name: 'analysis.digest',
  async run({ store, bot, runUnit }, now) {
    const slot = digestSlot(now, bot.policy);
    if (!slot || (await remembered(store.db, slot))) return 0;
    const fx = await runUnit(
      slot,
      async (fx) => {
        if (await remembered(fx.db, slot)) return;
        const ctx = new Ctx(fx, new Repo(fx.db), bot);
        fx.write(...remember(fx.db, slot, now));
        const cases = await casesForAnalysis(fx.db, analysisSince(now, bot.policy));
        const card = digestCard({ orgName: bot.policy.orgName, ...digestData(cases, now, bot.policy) });
        for (const to of await partyDestinations(ctx)) fx.send(to, card);
        fx.outcome = slot;
      },
      now,
    );
    return fx.writes.length > 0 ? 1 : 0;
  },
};

/** Admins (roster and configuration) hear once per data-end date that the holiday data runs out. */
export const calendarWarningJob: Job = {
  name: 'analysis.calendar',
  async run({ store, bot, runUnit }, now) {
    const slot = calendarWarningSlot(now, bot.policy, bot.calendar);
    if (!slot || (await remembered(store.db, slot.key))) return 0;
    const fx = await runUnit(
      slot.key,
      async (fx) => {
        if (await remembered(fx.db, slot.key)) return;
        const ctx = new Ctx(fx, new Repo(fx.db), bot);
        const admins = new Set([
          ...bot.configAdmins,
          ...(await ctx.repo.withRole('admin')).map((a) => a.openId),
        ]);
        // Nobody to tell yet: try again on a later tick rather than forget it.
        if (admins.size === 0) return;
        fx.write(...remember(fx.db, slot.key, now));
        const card = calendarWarningCard({
          dataEndsOn: slot.dataEndsOn,
          daysLeft: slot.daysLeft,
          nextYear: Number(slot.dataEndsOn.slice(0, 4)) + 1,
        });
        for (const openId of [...admins].sort()) fx.send({ openId }, card);
        fx.outcome = slot.key;
      },
      now,
    );
    return fx.writes.length > 0 ? 1 : 0;
  },
};

/** Art. 17 frequent-error risk warnings, the weekly digest and the holiday-data warning. */
export const analysisJobs: Job[] = [riskWarningJob, digestJob, calendarWarningJob];
