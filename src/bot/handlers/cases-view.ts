import type { ActionValue } from '../../../cards/actions';
import type { ApplicationCardData, ApplicationMode } from '../../../cards/application';
import type { CaseDetailData, CaseFactsView } from '../../../cards/case-detail';
import { clip, type Template } from '../../../cards/common';
import { isRecused } from '../../cases/access';
import { BASIS_LABEL, CORRECTION_STATUS_LABEL, STATUS_LABEL } from '../../cases/common';
import type { AuditEntry, Case, CaseStatus, Policy } from '../../cases/types';
import { assess, itemById, labelOf } from '../../policy';
import { caseHistory, HANDLING_ACTIONS, type HistoryEntry } from '../../store/repo-cases';
import type { Ctx } from '../context';
import { nameOf, shanghaiTime } from '../shared/names';

/** The intake's resume button; the intake reads `case`, the agreed contract names `caseId`, so both are sent. */
export const resumeValue = (caseId: string): ActionValue<'intake.resume'> => ({
  a: 'intake.resume',
  caseId,
  case: caseId,
});

const ORIGIN_LABEL: Record<Case['origin'], string> = {
  individual: '个人申请',
  organisation: '组织启动',
  report: '信访举报转办',
};

export function statusLabel(c: Case): string {
  if (c.status === 'draft' && c.returnReason) return '已退回补充';
  return STATUS_LABEL[c.status];
}

/** What happens next on a case, in one line everyone can read. */
export function nextStep(c: Case): string {
  switch (c.status) {
    case 'draft':
      return c.returnReason ? '请申请人按退回理由补充修改后重新提交' : '草稿尚未提交，请继续填写并提交';
    case 'submitted':
      return '等待党组书记或经办人受理';
    case 'investigating':
      if (c.investigators.length === 0) return '已受理，等待指派核查人员';
      return c.findings ? '核查意见已提交，等待党组书记开启党组审议' : '核查人员正在核实情况';
    case 'deliberating':
      return c.deliberation?.status === 'closed' ? '表决已结束，等待党组书记作出认定' : '党组成员正在表决';
    case 'decided':
      return '已作出认定，按第十三条在 7 日内告知';
    case 'correcting':
      return c.correction ? `纠错整改中，期限 ${c.correction.deadline}` : '纠错整改中';
    case 'closed':
      return '已办结';
    case 'withdrawn':
      return '申请已撤回';
  }
}

export function statusTemplate(status: CaseStatus): Template {
  const map: Record<CaseStatus, Template> = {
    draft: 'grey',
    submitted: 'orange',
    investigating: 'blue',
    deliberating: 'violet',
    decided: 'green',
    correcting: 'turquoise',
    closed: 'grey',
    withdrawn: 'grey',
  };
  return map[status];
}

function yesNo(v: boolean | null, yes: string, no: string, label: string): string {
  return v === null ? `${label}：未回答` : v ? yes : no;
}

/** The facts with every id turned into the policy's words; pure. */
export function factsView(c: Case, policy: Policy, subjectName: string): CaseFactsView {
  const f = c.facts;
  const items = f.items.map((id) => {
    const item = itemById(policy, id);
    return { citation: item?.citation ?? id, wording: item?.wording ?? '（条目已不在现行制度中）' };
  });
  const hasArt10 = f.items.some((id) => itemById(policy, id)?.article === 10);
  const conditions = hasArt10
    ? policy.conditions.map((cond) => {
        const v = f.conditions[cond.id];
        return {
          citation: cond.citation,
          wording: cond.wording,
          answer: v === undefined ? '未回答' : v ? '是' : '否',
        };
      })
    : [];
  const a = assess(
    {
      items: f.items,
      conditions: f.conditions,
      majorLoss: f.majorLoss ?? undefined,
      seriousImpact: f.seriousImpact ?? undefined,
      abuseOrNonPerformance: f.items.some((id) => itemById(policy, id)?.article === 12),
    },
    policy,
  );
  return {
    caseId: c.id,
    number: c.number ?? '草稿（未编号）',
    title: f.title,
    statusLabel: statusLabel(c),
    subjectName,
    originLabel: ORIGIN_LABEL[c.origin],
    unit: f.unitId ? (labelOf(policy.units, f.unitId) ?? f.unitId) : '（未填写）',
    stage: f.stage ? (labelOf(policy.enforcementStages, f.stage) ?? f.stage) : '（未填写）',
    occurredOn: f.occurredOn ?? '（未填写）',
    submittedAt: c.submittedAt ? shanghaiTime(c.submittedAt) : '未提交',
    story: f.story,
    lossAndImpact: f.lossAndImpact,
    harms: [
      yesNo(f.majorLoss, '已造成重大损失', '未造成重大损失', '是否造成重大损失'),
      yesNo(f.seriousImpact, '已造成严重不良影响', '未造成严重不良影响', '是否造成严重不良影响'),
    ].join('；'),
    remedies: f.remedies,
    items,
    conditions,
    evidence: f.evidence.map((e) => e.name),
    assessment: { label: a.label, summary: a.summary, reasons: a.reasons, missing: a.missing },
    missingFacts: missingFactNames(c),
  };
}

function missingFactNames(c: Case): string[] {
  const f = c.facts;
  const out: string[] = [];
  if (f.story.trim() === '') out.push('事情经过');
  if (f.lossAndImpact.trim() === '') out.push('损失和影响');
  if (f.remedies.trim() === '') out.push('补救措施');
  if (f.items.length === 0) out.push('适用情形');
  return out;
}

// ── the handling record ──

async function historyText(ctx: Ctx, c: Case, h: HistoryEntry): Promise<string> {
  const who = await nameOf(ctx, h.actor, c);
  const after = (h.after ?? {}) as { reason?: unknown; investigators?: unknown };
  switch (h.action) {
    case 'case.submitted':
      return `${who} 提交申请`;
    case 'case.accepted':
      return `${who} 受理申请`;
    case 'case.returned': {
      const reason = typeof after.reason === 'string' ? after.reason : '';
      return `${who} 退回补充：${clip(reason, 60)}`;
    }
    case 'case.investigator_assigned': {
      const list = Array.isArray(after.investigators) ? after.investigators : [];
      const added = list.at(-1);
      return `${who} 指派核查人员${typeof added === 'string' ? ` ${await nameOf(ctx, added, c)}` : ''}`;
    }
    case 'case.withdrawn':
      return `${who} 撤回申请`;
    case 'case.findings_submitted':
      return `${who} 提交核查意见`;
    case 'deliberation.opened':
      return `${who} 开启党组审议`;
    case 'case.determined':
      return `${who} 作出认定`;
    default:
      return `${who} ${h.action}`;
  }
}

/** An audit entry recorded in this unit of work and not yet committed (so not yet readable). */
export type FreshEntry = Pick<AuditEntry, 'action' | 'actorOpenId' | 'after'> & { at?: number };

/** The application card's data: the record from the audit log plus what the current decision adds. */
export async function applicationData(
  ctx: Ctx,
  c: Case,
  mode: ApplicationMode,
  fresh: FreshEntry[] = [],
): Promise<ApplicationCardData> {
  const past = await caseHistory(ctx.repo.db, c.id);
  const now = ctx.now.getTime();
  const shown = new Set<string>(HANDLING_ACTIONS);
  const added = fresh
    .filter((a) => shown.has(a.action))
    .map((a): HistoryEntry => ({ at: a.at ?? now, actor: a.actorOpenId, action: a.action, after: a.after }));
  const entries = [...past, ...added];
  const history = await Promise.all(
    entries.map(async (h) => ({ at: shanghaiTime(h.at), text: await historyText(ctx, c, h) })),
  );
  const subjectName = await nameOf(ctx, c.subjectOpenId, c);
  const options: { openId: string; name: string }[] = [];
  if (mode === 'assign') {
    for (const r of await ctx.repo.withRole('investigator')) {
      if (isRecused(c, r.openId) || c.investigators.includes(r.openId)) continue;
      options.push({ openId: r.openId, name: r.name ?? (await nameOf(ctx, r.openId, c)) });
    }
  }
  return {
    ...factsView(c, ctx.env.policy, subjectName),
    status: c.status,
    nextStep: nextStep(c),
    decisionDueOn: c.decisionDueOn,
    returnReason: c.returnReason,
    investigators: await Promise.all(c.investigators.map((id) => nameOf(ctx, id, c))),
    history,
    mode,
    investigatorOptions: options,
  };
}

/** One case as a viewer who may see it reads it; whether the viewer is the subject decides the buttons. */
export async function detailData(ctx: Ctx, c: Case, viewerOpenId: string): Promise<CaseDetailData> {
  const { policy } = ctx.env;
  const vote = (o: string) => labelOf(policy.voteOptions, o) ?? o;
  const subjectName = await nameOf(ctx, c.subjectOpenId, c);
  const buttons: CaseDetailData['buttons'] = [];
  if (viewerOpenId === c.subjectOpenId && c.status === 'draft')
    buttons.push({ label: '继续填写', value: resumeValue(c.id), type: 'primary' });
  if (viewerOpenId === c.subjectOpenId) buttons.push({ label: '我的案件', value: { a: 'cmd', cmd: 'mine' } });
  const f = c.findings;
  const d = c.deliberation;
  const det = c.determination;
  const o = c.correction;
  return {
    ...factsView(c, policy, subjectName),
    template: statusTemplate(c.status),
    nextStep: nextStep(c),
    decisionDueOn: c.decisionDueOn,
    returnReason: c.status === 'draft' ? c.returnReason : null,
    investigators: await Promise.all(c.investigators.map((id) => nameOf(ctx, id, c))),
    findings: f
      ? {
          by: await nameOf(ctx, f.by, c),
          at: shanghaiTime(f.at),
          recommended: vote(f.recommendedOutcome),
          summary: f.assessment.summary,
          note: f.note,
        }
      : null,
    deliberation: d
      ? {
          round: d.round,
          open: d.status === 'open',
          cast: Object.keys(d.votes).length,
          eligible: d.eligibleVoters.length,
          carried: d.result?.carried ? vote(d.result.carried) : null,
        }
      : null,
    determination: det
      ? {
          outcome: vote(det.outcome),
          basis: det.basis ? BASIS_LABEL[det.basis].label : null,
          reasons: det.reasons,
          statement: det.statement,
          issuedAt: shanghaiTime(det.issuedAt),
        }
      : null,
    correction: o
      ? {
          deadline: o.deadline,
          status: CORRECTION_STATUS_LABEL[o.status],
          responsible: await nameOf(ctx, o.responsible.openId, c),
          items: o.items.map((i) => `${i.kind === 'requirement' ? '【要求】' : '【建议】'}${i.text}`),
        }
      : null,
    buttons,
  };
}
