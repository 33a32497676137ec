import { businessDate } from '../calendar';
import { labelOf } from '../cases/common';
import type { AuditEntry, Case, Notice } from '../cases/types';
import {
  type ArchiveFile,
  type CaseDocumentInput,
  chineseTime,
  correctionNoticeDocument,
  DOCUMENT_TITLES,
  type DocumentDestination,
  decisionDocument,
  documentAudience,
  renderArchive,
  renderOfficial,
  renderTable,
  resultNoticeDocument,
  serviceReceiptDocument,
  sha256Hex,
} from '../documents';
import { fileMessage } from '../notify/outbox';
import { formatDocumentNumber } from '../policy';
import {
  auditTrail,
  claimDocumentNumbers,
  type DocumentKind,
  decisionDocuments,
  documentBytes,
  documentsOfCase,
  insertDocument,
  type StoredDocument,
} from '../store/repo-documents';
import type { Ctx } from './context';

/** Display names: the roster's, else the contact API's, else the open id. */
export async function nameBook(ctx: Ctx, openIds: Iterable<string>): Promise<(openId: string) => string> {
  const names = new Map(Object.entries(await ctx.deps.rosterNames(ctx.repo)));
  for (const id of new Set(openIds)) {
    if (names.has(id) || id === 'system' || id === 'anonymous') continue;
    const name = await ctx.deps.userName(id);
    if (name) names.set(id, name);
  }
  return (id) => names.get(id) ?? (id === 'system' ? '系统' : id === 'anonymous' ? '匿名' : id);
}

function peopleOf(c: Case): string[] {
  return [
    c.subjectOpenId,
    ...(c.correction ? [c.correction.responsible.openId] : []),
    ...c.notices.flatMap((n) => ('user' in n.target ? [n.target.user] : [])),
  ];
}

const FILE_TYPE = { docx: 'doc', xlsx: 'xls', zip: 'stream' } as const;

/** Records a generated file in the handler's commit and returns its id. */
export async function keepDocument(
  ctx: Ctx,
  d: {
    caseId: string | null;
    kind: DocumentKind;
    fileName: string;
    bytes: Uint8Array;
    number?: { text: string; year: number; seq: number };
    edition?: number;
  },
): Promise<string> {
  const id = ctx.deps.newId('doc');
  const ext = d.fileName.split('.').pop() as keyof typeof FILE_TYPE;
  ctx.fx.write(
    insertDocument(
      ctx.fx.db,
      { ...d, id, fileType: FILE_TYPE[ext] ?? 'stream', sha256: await sha256Hex(d.bytes) },
      ctx.now,
    ),
  );
  return id;
}

function sendTo(ctx: Ctx, destinations: DocumentDestination[], documentId: string): void {
  for (const to of destinations) ctx.fx.send(to, fileMessage(documentId));
}

async function audienceInput(ctx: Ctx, c: Case) {
  const bindings = await ctx.repo.bindings();
  return {
    c,
    partyChatId: bindings.find((b) => b.kind === 'party')?.chatId ?? null,
    unitChatId: (unit: string) =>
      bindings.find((b) => b.kind === 'unit' && b.unitId === unit)?.chatId ?? null,
    secretaries: (await ctx.repo.withRole('secretary')).map((r) => r.openId),
  };
}

const approvedExtensions = (c: Case | null) =>
  c?.correction?.extensions.filter((e) => e.status === 'approved').length ?? 0;

/** 案件归档_2026-7.zip: named by year and sequence, so a chat search for the case number finds its cards. */
export const archiveFileName = (c: Case) => `案件归档_${c.year && c.seq ? `${c.year}-${c.seq}` : c.id}.zip`;

/**
 * The formal documents a case decision calls for, generated from the case record and committed with it:
 * on issuing the 决定书 and 告知书 (and the 纠错通知书 when the order comes with it), a new edition of the
 * 纠错通知书 when an extension is approved, and the archive when the case is closed. Each goes to its
 * audience only (src/documents/audience.ts), through the outbox.
 */
export async function caseDocuments(ctx: Ctx, before: Case | null, after: Case, audit: AuditEntry[]) {
  const issued = !before?.determination && after.determination !== null;
  const ordered =
    after.correction !== null &&
    (!before?.correction || approvedExtensions(after) > approvedExtensions(before));
  const closed = before?.status !== 'closed' && after.status === 'closed';
  // 公开认定结论 after issuing without publication: the 决定书 already made now goes to its new audience.
  const published =
    before?.determination?.publication.scope === 'none' &&
    after.determination !== null &&
    after.determination.publication.scope !== 'none';
  if (!issued && !ordered && !closed && !published) return;
  const { policy } = ctx.env;
  const input: CaseDocumentInput = { policy, c: after, nameOf: await nameBook(ctx, peopleOf(after)) };
  const audience = await audienceInput(ctx, after);
  const today = businessDate(ctx.now);
  if (issued || ordered) {
    const year = Number(today.slice(0, 4));
    const count = (issued ? 2 : 0) + (ordered ? 1 : 0);
    const { seqs, writes } = await claimDocumentNumbers(ctx.fx.db, year, count, ctx.now);
    ctx.fx.write(...writes);
    const numbers = seqs.map((seq) => ({ text: formatDocumentNumber(policy, year, seq), year, seq }));
    if (issued) {
      const [decisionNo, noticeNo] = [numbers[0]!, numbers[1]!];
      const decisionId = await keepDocument(ctx, {
        caseId: after.id,
        kind: 'decision',
        fileName: `${DOCUMENT_TITLES.decision}（${decisionNo.text}）.docx`,
        bytes: await renderOfficial(decisionDocument(input, decisionNo.text)),
        number: decisionNo,
      });
      const noticeId = await keepDocument(ctx, {
        caseId: after.id,
        kind: 'notice',
        fileName: `${DOCUMENT_TITLES.notice}（${noticeNo.text}）.docx`,
        bytes: await renderOfficial(resultNoticeDocument(input, noticeNo.text, decisionNo.text)),
        number: noticeNo,
      });
      sendTo(ctx, documentAudience('notice', audience), noticeId);
      sendTo(ctx, documentAudience('decision', audience), decisionId);
    }
    if (ordered) {
      const edition = approvedExtensions(after) + 1;
      const no = numbers[numbers.length - 1]!;
      const id = await keepDocument(ctx, {
        caseId: after.id,
        kind: 'correction',
        fileName: `纠错整改通知书（${no.text}）${edition > 1 ? `第${edition}版` : ''}.docx`,
        bytes: await renderOfficial(correctionNoticeDocument(input, no.text, edition, today)),
        number: no,
        edition,
      });
      sendTo(ctx, documentAudience('correction', audience), id);
    }
  }
  if (published) {
    const decision = (await decisionDocuments(ctx.fx.db, after.id)).get(after.id);
    if (decision) sendTo(ctx, documentAudience('decision', audience), decision.id);
  }
  if (closed) {
    const bytes = await archiveOf(ctx, after, audit);
    const id = await keepDocument(ctx, {
      caseId: after.id,
      kind: 'archive',
      fileName: archiveFileName(after),
      bytes,
    });
    sendTo(ctx, documentAudience('archive', audience), id);
  }
}

function recipientLabel(ctx: Ctx, nameOf: (id: string) => string, n: Notice): string {
  if ('user' in n.target) return nameOf(n.target.user);
  const t = n.target.chat;
  if (t === 'party') return '党组群';
  if ('unit' in t) return `${labelOf(ctx.env.policy.units, t.unit)}群`;
  return n.kind === 'publication' ? '公示群' : t.id;
}

/** 送达回证 as it stands now: final once every notice's 7-day window has closed. */
export async function serviceReceipt(ctx: Ctx, c: Case, stored: StoredDocument[]): Promise<Uint8Array> {
  const nameOf = await nameBook(ctx, peopleOf(c));
  const numberOf = (kind: string) => stored.find((d) => d.kind === kind)?.number ?? null;
  return renderOfficial(
    serviceReceiptDocument(
      { policy: ctx.env.policy, c, nameOf },
      { decision: numberOf('decision'), notice: numberOf('notice') },
      (n) => recipientLabel(ctx, nameOf, n),
      ctx.now,
    ),
  );
}

const ACTION_LABEL: Record<string, string> = {
  'case.draft_created': '创建申请草稿',
  'case.facts_updated': '填写申请事实',
  'case.evidence_attached': '添加证据材料',
  'case.evidence_removed': '删除证据材料',
  'case.submitted': '提交申请',
  'case.withdrawn': '撤回申请',
  'case.opened_by_organisation': '组织启动认定',
  'case.opened_from_report': '由举报转为案件',
  'case.accepted': '受理',
  'case.returned': '退回补正',
  'case.investigator_assigned': '指定核查人员',
  'case.findings_submitted': '提交核查意见',
  'case.determined': '签发认定结论',
  'case.published': '公开认定结论',
  'case.closed': '办结',
  'notice.acknowledged': '当事人确认收到告知',
  'notice.followed_up': '告知跟进',
  'correction.ordered': '下达纠错通知',
  'correction.progress_reported': '报告整改进展',
  'correction.extension_requested': '申请延期',
  'correction.extension_approved': '批准延期',
  'correction.extension_refused': '不批准延期',
  'correction.completion_reported': '报告整改完成',
  'correction.accepted': '验收整改',
  'correction.returned': '退回整改',
};

const cut = (s: string | null) => (s && s.length > 1000 ? `${s.slice(0, 1000)}…` : (s ?? ''));

/** 归档 .zip: the case's documents, the 送达回证, the evidence list and the audit trail, with a manifest. */
export async function archiveOf(ctx: Ctx, c: Case, pending: AuditEntry[] = []): Promise<Uint8Array> {
  // The archive carries the 送达回证 as it stands at closing, not earlier copies of it.
  const stored = (await documentsOfCase(ctx.fx.db, c.id)).filter(
    (d) => d.kind !== 'archive' && d.kind !== 'receipt',
  );
  const trail = [
    ...(await auditTrail(ctx.fx.db, `case:${c.id}`)).map((r) => ({
      at: chineseTime(new Date(r.at).toISOString()),
      actor: r.actor,
      action: r.action,
      before: r.before,
      after: r.after,
    })),
    ...pending.map((a) => ({
      at: chineseTime(ctx.now.toISOString()),
      actor: a.actorOpenId,
      action: a.action,
      before: a.before === undefined ? null : JSON.stringify(a.before),
      after: a.after === undefined ? null : JSON.stringify(a.after),
    })),
  ];
  const nameOf = await nameBook(ctx, [...peopleOf(c), ...trail.map((t) => t.actor)]);
  const files: ArchiveFile[] = stored.map((d) => ({ name: d.fileName, bytes: documentBytes(d) }));
  files.push({ name: `${DOCUMENT_TITLES.receipt}.docx`, bytes: await serviceReceipt(ctx, c, stored) });
  const evidence = [
    ...c.facts.evidence.map((a) => [
      '申请材料',
      a.name,
      a.kind === 'image' ? '图片' : '文件',
      a.key,
      a.messageId,
    ]),
    ...(c.correction?.progress ?? []).flatMap((p) =>
      p.attachments.map((a) => [
        '整改进展',
        a.name,
        a.kind === 'image' ? '图片' : '文件',
        a.key,
        a.messageId,
      ]),
    ),
    ...(c.correction?.completion?.evidence ?? []).map((a) => [
      '整改完成佐证',
      a.name,
      a.kind === 'image' ? '图片' : '文件',
      a.key,
      a.messageId,
    ]),
  ].map((r, i) => [i + 1, ...r]);
  files.push({
    name: '证据清单.xlsx',
    bytes: await renderTable('证据清单', ['序号', '来源', '名称', '类型', '文件标识', '消息标识'], evidence),
  });
  files.push({
    name: '审计记录.xlsx',
    bytes: await renderTable(
      '审计记录',
      ['序号', '时间', '操作人', '操作', '变更前', '变更后'],
      trail.map((t, i) => [
        i + 1,
        t.at,
        nameOf(t.actor),
        ACTION_LABEL[t.action] ?? t.action,
        cut(t.before),
        cut(t.after),
      ]),
    ),
  });
  return renderArchive(files, { caseNumber: c.number, now: ctx.now });
}
