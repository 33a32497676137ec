import { escapeMd } from '../../../cards/common';
import { allVotedCard, deliberationCard, voteClosedCard } from '../../../cards/deliberation';
import {
  type FindingsValues,
  findingsCard,
  findingsSubmittedCard,
  findingsValuesFromCase,
} from '../../../cards/findings';
import {
  decisionReminderCard,
  determinationNoticeCard,
  noticeEscalationCard,
  noticeFollowUpCard,
} from '../../../cards/notice';
import { updateCard } from '../../../cards/update';
import { tally } from '../../cases/deliberation';
import type { Case, Deliberation, NoticeKind, NoticeTarget } from '../../cases/types';
import type { Ctx } from '../context';
import { deliberationRef } from '../intents';
import type { Rendered, TemplateRenderer, TemplateRenderers } from '../templates/types';

const namesRead = new WeakMap<Ctx, Promise<Record<string, string>>>();

/** Display names from the roster for the named vote list; read once per unit of work (kept while unchanged). */
export function namesOf(ctx: Ctx): Promise<Record<string, string>> {
  let names = namesRead.get(ctx);
  if (!names) {
    names = ctx.deps.rosterNames(ctx.repo);
    namesRead.set(ctx, names);
  }
  return names;
}

/** Party members and the secretary from the roster: who may vote (the core leaves out the subject). */
export async function partyMembers(ctx: Ctx): Promise<string[]> {
  const ids = new Set<string>();
  for (const role of ['secretary', 'party_member'] as const)
    for (const r of await ctx.repo.withRole(role)) ids.add(r.openId);
  return [...ids];
}

export async function renderDeliberation(
  ctx: Ctx,
  c: Case,
  d: Deliberation | null = c.deliberation,
  supersededBy?: number,
): Promise<object> {
  if (!d) return updateCard({ title: '党组审议表决', lines: ['本案尚未发起表决。'] });
  return deliberationCard({
    policy: ctx.deps.policy,
    caseId: c.id,
    number: c.number,
    title: c.facts.title,
    subjectName: c.subjectName,
    facts: c.facts,
    findings: c.findings,
    deliberation: d,
    names: await namesOf(ctx),
    determination: c.determination,
    ...(supersededBy !== undefined ? { supersededBy } : {}),
  });
}

/** The investigator's findings form: what was typed (with why it was refused), else what the case holds. */
export function findingsFormFor(
  ctx: Ctx,
  c: Case,
  values: FindingsValues = findingsValuesFromCase(c),
  error?: string,
): object {
  return findingsCard({
    policy: ctx.deps.policy,
    caseId: c.id,
    number: c.number,
    subjectName: c.subjectName,
    facts: c.facts,
    decisionDueOn: c.decisionDueOn,
    values,
    ...(error ? { error } : {}),
  });
}

function plainNote(c: Case | undefined, title: string, line: string): Rendered {
  return {
    card: updateCard({
      title,
      lines: [`**案件**：${c?.number ?? ''} ${escapeMd(c?.facts.title ?? '')}`, line],
    }),
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function renderNotice(kind: NoticeKind | 'reminder'): TemplateRenderer {
  return (ctx, { intent, case: c }) => {
    const n = c?.notices.find((x) => x.id === str(intent.data?.noticeId));
    if (!c?.determination || !n) return plainNote(c, '容错认定结论告知', '认定结论已作出。');
    return {
      card: determinationNoticeCard({
        policy: ctx.deps.policy,
        c,
        det: c.determination,
        noticeId: n.id,
        kind: kind === 'reminder' ? n.kind : kind,
        reminder: kind === 'reminder',
        dueOn: n.dueOn,
        acknowledgedAt: n.acknowledgedAt,
      }),
    };
  };
}

/** Every message of the findings → vote → determination → notice path, by the core's template name. */
export const deliberationTemplates = {
  'case.investigator_assigned': (ctx, { case: c }) => {
    if (!c) return plainNote(c, '核查任务', '您被指派核查一个案件。');
    return {
      card: findingsFormFor(ctx, c),
    };
  },
  'case.findings_submitted': (ctx, { case: c }) => {
    if (!c?.findings) return plainNote(c, '核查意见已提交', '请党组书记发起表决。');
    return {
      card: findingsSubmittedCard({
        policy: ctx.deps.policy,
        caseId: c.id,
        number: c.number,
        title: c.facts.title,
        subjectName: c.subjectName,
        facts: c.facts,
        findings: c.findings,
        decisionDueOn: c.decisionDueOn,
      }),
    };
  },
  'deliberation.opened': async (ctx, { intent, case: c }) => {
    if (!c?.deliberation) return plainNote(c, '党组审议表决', '表决已发起。');
    const round = typeof intent.data?.round === 'number' ? intent.data.round : c.deliberation.round;
    return { card: await renderDeliberation(ctx, c), ref: deliberationRef(c.id, round) };
  },
  'deliberation.all_voted': (ctx, { case: c }) => {
    const d = c?.deliberation;
    if (!c || !d) return plainNote(c, '全部成员已投票', '请结束表决。');
    return {
      card: allVotedCard({
        policy: ctx.deps.policy,
        caseId: c.id,
        number: c.number,
        round: d.round,
        result: tally(d, ctx.deps.policy),
      }),
    };
  },
  'deliberation.closed': (ctx, { case: c }) => {
    const d = c?.deliberation;
    if (!c || !d?.result) return plainNote(c, '表决结束', '本轮表决已结束。');
    return {
      card: voteClosedCard({
        policy: ctx.deps.policy,
        number: c.number,
        title: c.facts.title,
        round: d.round,
        result: d.result,
      }),
    };
  },
  'notice.determination': renderNotice('subject'),
  'notice.determination_unit': renderNotice('unit'),
  'publication.determination': renderNotice('publication'),
  'notice.reminder': renderNotice('reminder'),
  'notice.escalation': (ctx, { intent, case: c }) => {
    const data = intent.data ?? {};
    const noticeId = str(data.noticeId);
    // Its own ref: the escalation's delivery must not count as the notice's.
    const ref = `escalation:${intent.caseId ?? ''}:${noticeId}`;
    if (!c) return { ...plainNote(c, '告知即将逾期', '请督办。'), ref };
    return {
      card: noticeEscalationCard({
        policy: ctx.deps.policy,
        c,
        kind: (str(data.kind) || 'subject') as NoticeKind,
        target: (data.target ?? { user: c.subjectOpenId }) as NoticeTarget,
        dueOn: str(data.dueOn),
        sent: data.sent === true,
        lastError: typeof data.lastError === 'string' ? data.lastError : null,
      }),
      ref,
    };
  },
  'notice.follow_up': (ctx, { intent, case: c }) => {
    if (!c) return plainNote(c, '告知跟进提醒', '告知尚未完成。');
    const items = (intent.data?.items ?? []) as {
      target: NoticeTarget;
      action: 'resend' | 'remind';
      dueOn: string;
    }[];
    return { card: noticeFollowUpCard({ policy: ctx.deps.policy, c, items }) };
  },
  'decision.reminder': (_ctx, { intent, case: c }) => {
    const data = intent.data ?? {};
    return {
      card: decisionReminderCard({
        number: c?.number ?? null,
        title: c?.facts.title ?? '',
        dueOn: str(data.dueOn),
        daysLeft: typeof data.daysLeft === 'number' ? data.daysLeft : 0,
        step: str(data.step),
      }),
    };
  },
} satisfies Partial<TemplateRenderers>;
