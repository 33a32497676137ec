// The report card for one viewer, its copies (one per handler and investigator) and keeping them current.
import { type Person, type ReportCardMode, reportCard, reportNoAccessCard } from '../../../cards/report';
import { updateCard } from '../../../cards/update';
import { canViewReport, reportHandlerCheck, reportInvestigatorCheck } from '../../cases/access';
import { labelOf } from '../../cases/common';
import type { Actor, Report } from '../../cases/types';
import { reportCardRef, reportCopies } from '../../store/repo-reports';
import type { Ctx } from '../context';
import { chatChoices, nameOf, shanghaiTime } from './names';

export const REPORT_STATUS_LABEL: Record<Report['status'], string> = {
  filed: '已登记，待核查',
  investigating: '核查中',
  concluded: '已认定，待反馈',
  closed: '已办结',
};

/** Outcomes after which the officer concerned may have their name cleared (art. 18). */
export const CLEARABLE_OUTCOMES = ['false', 'unfounded'];

export const RECUSED_VIEW = '该举报涉及您本人，依规回避，不能查看或办理。';
export const NO_ACCESS = '只有党组书记、经办人和被指派的核查人员可以查看举报。如有疑问，请联系党组书记。';

export function denialFor(r: Report, actor: Actor): string | null {
  if (r.accused.includes(actor.openId)) return RECUSED_VIEW;
  return canViewReport(r, actor) ? null : NO_ACCESS;
}

/** What a viewer may do with the report right now (the core decides again on every click). */
export function abilities(r: Report, actor: Actor) {
  const handler = reportHandlerCheck(r, actor, '办理举报') === null;
  const secretary = reportHandlerCheck(r, actor, '办理举报', true) === null;
  const open = r.status === 'filed' || r.status === 'investigating';
  return {
    assign: handler && open,
    findings: reportInvestigatorCheck(r, actor) === null && r.status === 'investigating',
    outcome: secretary && open && (r.investigators.length === 0 || r.findings !== null),
    feedback: secretary && r.outcome !== null && r.feedback === null,
    close: secretary && r.status === 'concluded' && r.feedback !== null,
    convert:
      handler &&
      r.status !== 'closed' &&
      r.accused.some((o) => !r.convertedCases.some((c) => c.subjectOpenId === o)),
    clear:
      secretary && r.outcome !== null && CLEARABLE_OUTCOMES.includes(r.outcome.result)
        ? r.accused.filter((o) => !r.clearings.some((c) => c.officerOpenId === o))
        : [],
    publish: secretary
      ? r.clearings
          .filter((c) => c.consent === 'agreed' && c.publishedAt === null)
          .map((c) => c.officerOpenId)
      : [],
  };
}

export function modeAllowed(r: Report, actor: Actor, mode: ReportCardMode, officer?: string): boolean {
  const can = abilities(r, actor);
  switch (mode) {
    case 'view':
      return canViewReport(r, actor);
    case 'publish':
      return officer !== undefined && can.publish.includes(officer);
    default:
      return can[mode];
  }
}

async function people(ctx: Ctx, ids: string[]): Promise<Person[]> {
  return Promise.all(ids.map(async (openId) => ({ openId, name: await nameOf(ctx, openId) })));
}

const CONSENT_LABEL = {
  pending: '已征求意见，待本人答复',
  agreed: '本人同意发布',
  declined: '本人不同意发布',
};

/** The card one viewer gets: the report with the buttons and forms that viewer may use. */
export async function reportCardFor(
  ctx: Ctx,
  r: Report,
  viewerOpenId: string,
  mode: ReportCardMode = 'view',
  extra: { values?: Record<string, string>; error?: string; officer?: string } = {},
): Promise<object> {
  const viewer = await ctx.actor(viewerOpenId);
  const denied = denialFor(r, viewer);
  if (denied) return reportNoAccessCard(denied);
  const policy = ctx.env.policy;
  const can = abilities(r, viewer);
  const shown = modeAllowed(r, viewer, mode, extra.officer) ? mode : 'view';
  const name = (id: string) => nameOf(ctx, id);
  const caseLabel = async (caseId: string) => {
    const c = await ctx.repo.getCase(caseId);
    return c ? `${c.number ?? '（未编号）'} ${c.subjectName ?? (await name(c.subjectOpenId))}` : caseId;
  };
  const investigatorOptions =
    shown === 'assign'
      ? await people(
          ctx,
          (await ctx.repo.withRole('investigator'))
            .map((x) => x.openId)
            .filter(
              (id) => !r.accused.includes(id) && !r.investigators.includes(id) && id !== r.reporterOpenId,
            ),
        )
      : [];
  const outcomeCase = r.outcome?.caseId ? await ctx.repo.getCase(r.outcome.caseId) : undefined;
  return reportCard({
    reportId: r.id,
    number: r.number,
    status: r.status,
    statusLabel: REPORT_STATUS_LABEL[r.status],
    realName: r.realName,
    filedAt: shanghaiTime(r.createdAt),
    accused: await Promise.all(r.accused.map(name)),
    matter: r.matter,
    content: r.content,
    attachments: r.attachments.map((x) => x.name),
    investigators: await Promise.all(r.investigators.map(name)),
    findings: r.findings
      ? { text: r.findings.text, by: await name(r.findings.by), at: shanghaiTime(r.findings.at) }
      : null,
    outcome: r.outcome
      ? {
          label: labelOf(policy.reportOutcomes, r.outcome.result),
          note: r.outcome.note,
          caseNumber: outcomeCase?.number ?? null,
          by: await name(r.outcome.by),
          at: shanghaiTime(r.outcome.at),
        }
      : null,
    feedback: r.feedback
      ? {
          text: r.feedback.text,
          where:
            r.feedback.kind === 'direct'
              ? '已私信实名举报人'
              : `已在${(await chatChoices(ctx)).find((c) => c.chatId === r.feedback?.chatId)?.label ?? '所选群'}说明`,
          at: shanghaiTime(r.feedback.at),
        }
      : null,
    clearings: await Promise.all(
      r.clearings.map(async (c) => ({
        officer: await name(c.officerOpenId),
        consent: CONSENT_LABEL[c.consent],
        published: c.publishedAt
          ? ((await chatChoices(ctx)).find((x) => x.chatId === c.chatId)?.label ?? '所选群')
          : null,
      })),
    ),
    converted: await Promise.all(
      r.convertedCases.map(async (c) => ({
        number: (await ctx.repo.getCase(c.caseId))?.number ?? c.caseId,
        subject: await name(c.subjectOpenId),
      })),
    ),
    mode: shown,
    can: {
      assign: can.assign,
      findings: can.findings,
      outcome: can.outcome,
      feedback: can.feedback,
      close: can.close,
      convert: can.convert,
    },
    clear: await people(ctx, can.clear),
    publish: await people(ctx, can.publish),
    ...(shown === 'publish' && extra.officer
      ? { publishFor: { openId: extra.officer, name: await name(extra.officer) } }
      : {}),
    options: {
      investigators: investigatorOptions,
      outcomes: policy.reportOutcomes.map((o) => ({ id: o.id, label: o.label })),
      chats: shown === 'feedback' || shown === 'publish' ? await chatChoices(ctx) : [],
      cases:
        shown === 'outcome'
          ? await Promise.all(
              r.convertedCases.map(async (c) => ({ caseId: c.caseId, label: await caseLabel(c.caseId) })),
            )
          : [],
      convertible:
        shown === 'convert'
          ? await people(
              ctx,
              r.accused.filter((o) => !r.convertedCases.some((c) => c.subjectOpenId === o)),
            )
          : [],
    },
    ...(extra.values ? { values: extra.values } : {}),
    ...(extra.error ? { error: extra.error } : {}),
  });
}

/** Who handles a new report: the secretary and clerks, never anyone it accuses. */
export async function reportHandlers(ctx: Ctx, r: Report): Promise<string[]> {
  const ids = new Set<string>();
  for (const role of ['secretary', 'clerk'] as const)
    for (const x of await ctx.repo.withRole(role)) ids.add(x.openId);
  for (const a of r.accused) ids.delete(a);
  return [...ids];
}

/**
 * A new report goes to each handler's direct chat (never the party chat: the accused may be in it).
 * With nobody to handle it, the admins hear that one waits, and nothing of its contents.
 */
export async function sendHandlerCopies(ctx: Ctx, r: Report): Promise<void> {
  const handlers = await reportHandlers(ctx, r);
  // Every handler gets a copy whoever filed, so a copy to a handler who is the reporter tells nothing.
  for (const openId of handlers) ctx.fx.addressedByRole.add(openId);
  for (const openId of handlers)
    ctx.fx.send({ openId }, await reportCardFor(ctx, r, openId), reportCardRef(r.id, openId));
  if (handlers.length > 0) return;
  const admins = new Set([
    ...ctx.deps.configAdmins,
    ...(await ctx.repo.withRole('admin')).map((x) => x.openId),
  ]);
  for (const a of r.accused) admins.delete(a);
  for (const openId of admins) ctx.fx.addressedByRole.add(openId);
  for (const openId of admins) {
    ctx.fx.send(
      { openId },
      updateCard({
        title: '有一件信访举报无人办理',
        template: 'orange',
        lines: [
          `${r.number} 已登记，但名册中没有可以办理的党组书记或经办人（被举报人依规回避）。`,
          '请在群里发送「党组书记 @某人」或「经办人 @某人」设置后，由其私聊发送「举报列表」办理。',
        ],
      }),
    );
  }
}

/** Brings every delivered copy up to date for its own viewer, except the one the click answer replaces. */
export async function refreshReportCopies(ctx: Ctx, r: Report, exceptMessageId?: string): Promise<void> {
  for (const copy of await reportCopies(ctx.repo.db, r.id)) {
    if (copy.messageId === exceptMessageId) continue;
    ctx.fx.patch({ ref: copy.ref }, await reportCardFor(ctx, r, copy.viewer));
  }
}
