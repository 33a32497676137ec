import { updateCard } from '../../../cards/update';
import { businessDate } from '../../calendar';
import {
  archiveCheck,
  canView,
  canViewReport,
  isRecused,
  ledgerCheck,
  serviceReceiptCheck,
} from '../../cases/access';
import { STATUS_LABEL } from '../../cases/common';
import type { Case, CaseStatus } from '../../cases/types';
import { renderLedger } from '../../documents';
import { fileMessage, textMessage } from '../../notify/outbox';
import { formatCaseNumber, parseCaseNumber } from '../../policy';
import { allReports, decisionDocuments, documentsOfCase, latestArchive } from '../../store/repo-documents';
import type { Ctx } from '../context';
import { archiveFileName, archiveOf, keepDocument, nameBook, serviceReceipt } from '../documents';
import { answer, type Feature, type Said } from './types';

const LEDGER_WORD = '导出台账';
const ARCHIVE_WORD = '归档';
const RECEIPT_WORD = '送达回证';

const ALL_STATUSES = Object.keys(STATUS_LABEL).filter((s) => s !== 'draft') as CaseStatus[];

/** 「导出台账」, 「导出台账 2026」, 「导出台账 2026年 已办结」: the year and status are optional. */
export function parseLedgerCommand(
  words: string,
): { ok: true; year: number | null; status: CaseStatus | null } | { ok: false; reason: string } | null {
  if (!words.startsWith(LEDGER_WORD)) return null;
  let rest = words.slice(LEDGER_WORD.length);
  let year: number | null = null;
  const y = /^(\d{4})年?/.exec(rest);
  if (y) {
    year = Number(y[1]);
    rest = rest.slice(y[0].length);
  }
  let status: CaseStatus | null = null;
  if (rest !== '') {
    const hit = ALL_STATUSES.find(
      (s) => STATUS_LABEL[s] === rest || STATUS_LABEL[s].replace(/^已/, '') === rest,
    );
    if (!hit)
      return {
        ok: false,
        reason: `无法识别「${rest}」。可以写年份和状态，例如「导出台账 2026 已办结」；状态可选：${ALL_STATUSES.map((s) => STATUS_LABEL[s]).join('、')}。`,
      };
    status = hit;
  }
  return { ok: true, year, status };
}

function refusalCard(title: string, reason: string) {
  return updateCard({
    title,
    template: 'orange',
    lines: [reason],
    buttons: [{ label: '帮助', value: { a: 'cmd', cmd: 'help' } }],
  });
}

const caseYear = (c: Case) =>
  c.year ?? Number(businessDate(new Date(c.submittedAt ?? c.createdAt)).slice(0, 4));

/** 台账: party members, the secretary and clerks; each gets only what they may see, in their direct chat. */
async function exportLedger(ctx: Ctx, said: Said, year: number | null, status: CaseStatus | null) {
  const actor = await ctx.actor(said.openId);
  const denied = ledgerCheck(actor);
  if (denied) {
    ctx.fx.outcome = 'ledger:refused';
    answer(ctx, said, refusalCard('未执行：导出台账', denied.reason));
    return;
  }
  const cases = (await ctx.repo.casesByStatus(status ? [status] : ALL_STATUSES))
    .filter((c) => canView(c, actor) && !isRecused(c, actor) && c.subjectOpenId !== actor.openId)
    .filter((c) => year === null || caseYear(c) === year)
    .sort((a, b) => (a.year ?? 0) - (b.year ?? 0) || (a.seq ?? 0) - (b.seq ?? 0));
  const reports = (await allReports(ctx.fx.db))
    .filter((r) => canViewReport(r, actor))
    .filter((r) => year === null || r.year === year);
  const decisions = await decisionDocuments(ctx.fx.db);
  const decisionNumbers: Record<string, string> = {};
  for (const c of cases) {
    const no = c.determination ? decisions.get(c.id)?.number : null;
    if (no) decisionNumbers[c.id] = no;
  }
  const nameOf = await nameBook(ctx, [
    ...cases.map((c) => c.subjectOpenId),
    ...reports.flatMap((r) => [...r.accused, ...(r.realName && r.reporterOpenId ? [r.reporterOpenId] : [])]),
  ]);
  const scope = `${year ? `${year}年` : '全部年度'} · ${status ? STATUS_LABEL[status] : '全部状态'}`;
  const bytes = await renderLedger({
    policy: ctx.env.policy,
    cases,
    reports,
    nameOf,
    decisionNumbers,
    scope,
    now: ctx.now,
  });
  const stamp = businessDate(ctx.now).replace(/-/g, '');
  const id = await keepDocument(ctx, {
    caseId: null,
    kind: 'ledger',
    fileName: `容错纠错台账_${year ?? '全部'}${status ? `_${STATUS_LABEL[status]}` : ''}_${stamp}.xlsx`,
    bytes,
  });
  ctx.fx.outcome = 'ledger:exported';
  const to = { openId: said.openId };
  ctx.fx.send(to, textMessage(`台账（${scope}）：案件 ${cases.length} 件，信访举报 ${reports.length} 件。`));
  ctx.fx.send(to, fileMessage(id));
  if (said.chatType === 'group')
    answer(
      ctx,
      said,
      updateCard({ title: '台账已私聊发送', lines: ['台账包含案件情况，已发到与你的私聊中。'] }),
    );
}

/** The case a 「归档 / 送达回证 <编号>」 names, or null after answering why not. */
async function namedCase(ctx: Ctx, said: Said, what: string, numberText: string): Promise<Case | null> {
  const { policy } = ctx.env;
  const refuse = (reason: string) => {
    ctx.fx.outcome = `${what}:refused`;
    answer(ctx, said, refusalCard(`未执行：${what}`, reason));
    return null;
  };
  const parsed = parseCaseNumber(policy, numberText);
  if (!parsed) return refuse(`请写明案件编号，例如「${what} ${formatCaseNumber(policy, 2026, 1)}」。`);
  const c = await ctx.repo.caseByNumber(formatCaseNumber(policy, parsed.year, parsed.seq));
  if (!c) return refuse('没有这个编号的案件。');
  if (isRecused(c, await ctx.actor(said.openId))) return refuse(`你须回避本案，不能调阅本案${what}。`);
  return c;
}

function sentPrivately(ctx: Ctx, said: Said, what: string, c: Case) {
  if (said.chatType === 'group')
    answer(
      ctx,
      said,
      updateCard({ title: `${what}已私聊发送`, lines: [`${c.number} 的${what}已发到与你的私聊中。`] }),
    );
}

/** 「归档 <编号>」: the secretary gets the closed case's archive again (made now if it predates archiving). */
async function sendArchive(ctx: Ctx, said: Said, numberText: string) {
  const denied = archiveCheck(await ctx.actor(said.openId));
  if (denied) {
    ctx.fx.outcome = 'archive:refused';
    answer(ctx, said, refusalCard('未执行：归档', denied.reason));
    return;
  }
  const c = await namedCase(ctx, said, '归档', numberText);
  if (!c) return;
  if (c.status !== 'closed') {
    ctx.fx.outcome = 'archive:refused';
    answer(ctx, said, refusalCard('未执行：归档', `本案${STATUS_LABEL[c.status]}，办结后才生成归档。`));
    return;
  }
  const kept = await latestArchive(ctx.fx.db, c.id);
  const id =
    kept?.id ??
    (await keepDocument(ctx, {
      caseId: c.id,
      kind: 'archive',
      fileName: archiveFileName(c),
      bytes: await archiveOf(ctx, c),
    }));
  ctx.fx.outcome = 'archive:sent';
  ctx.fx.send({ openId: said.openId }, fileMessage(id));
  sentPrivately(ctx, said, '归档', c);
}

/** 「送达回证 <编号>」: the secretary or a clerk gets the 送达回证 as it stands (final once the window closed). */
async function sendServiceReceipt(ctx: Ctx, said: Said, numberText: string) {
  const denied = serviceReceiptCheck(await ctx.actor(said.openId));
  if (denied) {
    ctx.fx.outcome = 'receipt:refused';
    answer(ctx, said, refusalCard('未执行：送达回证', denied.reason));
    return;
  }
  const c = await namedCase(ctx, said, '送达回证', numberText);
  if (!c) return;
  if (!c.determination) {
    ctx.fx.outcome = 'receipt:refused';
    answer(ctx, said, refusalCard('未执行：送达回证', '本案尚未签发认定结论，还没有需要送达的文书。'));
    return;
  }
  const id = await keepDocument(ctx, {
    caseId: c.id,
    kind: 'receipt',
    fileName: `送达回证_${c.year}-${c.seq}_${businessDate(ctx.now).replace(/-/g, '')}.docx`,
    bytes: await serviceReceipt(ctx, c, await documentsOfCase(ctx.fx.db, c.id)),
  });
  ctx.fx.outcome = 'receipt:sent';
  ctx.fx.send({ openId: said.openId }, fileMessage(id));
  sentPrivately(ctx, said, '送达回证', c);
}

async function onMessage(ctx: Ctx, said: Said): Promise<boolean> {
  if (said.kind !== 'text' && said.kind !== 'post') return false;
  const ledger = parseLedgerCommand(said.words);
  if (ledger) {
    if (!ledger.ok) {
      ctx.fx.outcome = 'ledger:bad-filter';
      answer(ctx, said, refusalCard('未执行：导出台账', ledger.reason));
      return true;
    }
    await exportLedger(ctx, said, ledger.year, ledger.status);
    return true;
  }
  if (said.words.startsWith(ARCHIVE_WORD) && !said.words.startsWith('归档群')) {
    await sendArchive(ctx, said, said.text.replace(/^\s*归档\s*/, ''));
    return true;
  }
  if (said.words.startsWith(RECEIPT_WORD)) {
    await sendServiceReceipt(ctx, said, said.text.replace(/^\s*送达回证\s*/, ''));
    return true;
  }
  return false;
}

export const documentsFeature: Feature = { name: 'documents', onMessage };
