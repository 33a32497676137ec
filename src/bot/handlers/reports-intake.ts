import { reportDraftModeRef, reportDraftRef } from '../../../cards/actions';
/**
 * Filing a report (举报) and asking for its outcome with a query code (查询 <查询码>).
 *
 * Anonymity by construction (第十八条): until the reporter chooses 实名举报, and for an anonymous report to
 * the end, the events of the intake are recorded without their sender (src/bot/redact.ts) and nothing is
 * written that holds them. The draft is a kv row keyed by a random token that only the reporter's card
 * carries; card clicks are answered in the callback's own response (the form, the query code) and typed
 * messages by a message sent from memory. Who has a draft open is known in memory only, so the next direct
 * messages are recorded without the sender too. A real-name report is the person's conversation, as any
 * other intake: files sent in the chat attach to it, and the answers go through the outbox.
 * Every step of the intake records the same outcome, so the inbox and the logs do not tell filing apart.
 */

import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { escapeMd } from '../../../cards/common';
import {
  ANON_NO_FILES,
  LOOKUP_MAX_LENGTH,
  queryCodeCard,
  REPORT_INTAKE_ACTIONS,
  type ReportFormValues,
  type ReportMode,
  reportChooseCard,
  reportFiledCard,
  reportFormCard,
  reportNoteCard,
  reportQueryCard,
  reportReviewCard,
} from '../../../cards/report-intake';
import { conversations, kv } from '../../../db/schema';
import { businessDate } from '../../calendar';
import { fileReport, hashQueryCode, normaliseQueryCode, queryReportByCode } from '../../cases/reports';
import {
  type Actor,
  ANONYMOUS_OPEN_ID,
  type Attachment,
  type FileReportCommand,
  type Refusal,
  type Report,
} from '../../cases/types';
import { type Colleague, LarkCallError } from '../../lark/client';
import { type CardAction, type EventEnvelope, parseMenu, parseMessageEvent } from '../../lark/envelope';
import { PRIVATE_REF_PREFIX } from '../../notify/deliver';
import type { Policy } from '../../policy';
import { guard, type Write } from '../../store';
import { guidedConversationOf } from '../../store/conversation-keys';
import type { Conversation } from '../../store/repo';
import { type RawConversation, rawConversation, restoreConversation } from '../../store/repo-reports';
import { applyReport, isRefusal } from '../apply';
import type { Ctx } from '../context';
import type { AnonymousDrafts } from '../redact';
import { COMMAND_WORDS, HELP_WORDS, helpFor } from '../router';
import { listOf, textOf } from '../shared/form-values';
import { nameOf } from '../shared/names';
import { sendHandlerCopies } from '../shared/report-card';
import { ANONYMOUS_DRAFT_PREFIX } from '../shared/retention';
import { normalizeCommand } from '../text';
import { parseQueryArg } from './cases';
import type { Said } from './types';

export const REPORT_FLOW = 'report';
/** One outcome for every step of the intake: the inbox and the logs cannot tell a filing apart. */
export const INTAKE_OUTCOME = 'reports:intake';
export const QUERY_OUTCOME = 'reports:query';

export const REPORT_WORDS = new Set(
  ['举报', '我要举报', '信访举报', '投诉举报', '举报投诉'].map(normalizeCommand),
);
const CANCEL_WORDS = new Set(['取消', '取消举报', '退出'].map(normalizeCommand));
// The help and other commands keep working while a real-name report is being written.
const RESERVED = new Set(
  ['帮助', 'help', '菜单', '?', '你好', 'hi', 'hello', '您好', ...Object.values(COMMAND_WORDS)].map(
    normalizeCommand,
  ),
);
const MAX_FILES = 20;
const MAX_ACCUSED = 20;
const MAX_PEOPLE = 200;
/** 查找 lists at most this many colleagues; more means the name typed is too short. */
const MAX_FOUND = 20;
/** A 2.0 card can be clicked for 14 days; an untouched draft goes with it. */
const DRAFT_TTL_MS = 14 * 86_400_000;
const CODE_SHAPE = /^[A-Z0-9]{6,24}$/;

// ───────────────────────────── which events are anonymous ─────────────────────────────

/** 「查询 <查询码>」: a query whose argument is not a case number and has the shape of a code. */
const QUERY_WORD = normalizeCommand('查询');

/** `words` is `normalizeCommand(text)`, when the caller has it already. */
function queryCodeIn(
  text: string,
  policy: Policy,
  now: Date,
  words = normalizeCommand(text),
): string | undefined {
  if (!words.startsWith(QUERY_WORD)) return undefined;
  const q = parseQueryArg(policy, text, now);
  if (q.kind !== 'other') return undefined;
  return CODE_SHAPE.test(normaliseQueryCode(q.text)) ? q.text : undefined;
}

const isAnonymousClick = (value: Record<string, unknown>) =>
  (value.a === 'cmd' && value.cmd === 'report') ||
  ((value.a === REPORT_INTAKE_ACTIONS.mode ||
    value.a === REPORT_INTAKE_ACTIONS.file ||
    value.a === REPORT_INTAKE_ACTIONS.find ||
    value.a === REPORT_INTAKE_ACTIONS.cancel) &&
    value.m !== 'real');

/**
 * Decided on the decrypted envelope before anything is recorded: the typed 「举报」 (or its button and
 * menu item), the intake's clicks until 实名 is chosen, 「查询 <查询码>」 from anyone, and the direct
 * messages of someone with an anonymous draft open.
 */
export function belongsToAnonymousReport(
  envelope: EventEnvelope,
  p: { drafts: AnonymousDrafts; policy: Policy; now: Date },
): boolean {
  const event = envelope.event as Record<string, unknown> | null;
  switch (envelope.header.event_type) {
    case 'card.action.trigger': {
      const value = (event?.action as { value?: unknown } | undefined)?.value;
      return (
        typeof value === 'object' && value !== null && isAnonymousClick(value as Record<string, unknown>)
      );
    }
    case 'application.bot.menu_v6':
      return parseMenu(event)?.eventKey === 'report';
    case 'im.message.receive_v1': {
      const m = parseMessageEvent(event);
      if (!m) return false;
      if (m.kind === 'text' || m.kind === 'post') {
        const words = normalizeCommand(m.text);
        if (REPORT_WORDS.has(words) || queryCodeIn(m.text.trim(), p.policy, p.now, words)) return true;
      }
      return m.chatType === 'p2p' && p.drafts.tokenOf(m.senderOpenId, p.now.getTime()) !== undefined;
    }
    default:
      return false;
  }
}

// ───────────────────────────── drafts ─────────────────────────────

const attachmentSchema = z.object({
  kind: z.enum(['file', 'image']),
  messageId: z.string(),
  key: z.string(),
  name: z.string(),
});
const draftSchema = z.object({
  d: z.string().min(1),
  files: z.array(attachmentSchema).catch([]),
  m: z.array(z.string()).catch([]),
  stash: z.unknown().optional(),
});
type DraftData = z.infer<typeof draftSchema>;

/** A real-name draft: the person's conversation. */
interface Draft {
  row: Conversation;
  data: DraftData;
}

/** Before 实名 is chosen, and for an anonymous report: keyed by the card's token, never by the person. */
interface AnonymousDraft {
  token: string;
  version: number;
  step: 'choose' | 'anon';
  /** People mentioned in 「举报 @某人」, offered in the picker. */
  m: string[];
}
const anonymousSchema = z.object({ step: z.enum(['choose', 'anon']), m: z.array(z.string()).catch([]) });
const draftKey = (token: string) => `${ANONYMOUS_DRAFT_PREFIX}${token}`;

async function loadAnonymous(ctx: Ctx, token: string): Promise<AnonymousDraft | undefined> {
  const [row] = await ctx.repo.db
    .select()
    .from(kv)
    .where(eq(kv.key, draftKey(token)));
  if (!row) return undefined;
  const parsed = anonymousSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? { token, version: row.version, ...parsed.data } : undefined;
}

function saveAnonymous(ctx: Ctx, before: AnonymousDraft | undefined, next: Omit<AnonymousDraft, 'version'>) {
  const value = JSON.stringify({ step: next.step, m: next.m });
  const at = ctx.now.getTime();
  if (!before) {
    ctx.fx.write(
      ctx.repo.db.insert(kv).values({
        key: draftKey(next.token),
        value,
        version: 1,
        expiresAt: at + DRAFT_TTL_MS,
        updatedAt: at,
      }),
    );
    return;
  }
  ctx.fx.write(
    ctx.repo.db
      .update(kv)
      .set({ value, version: before.version + 1, expiresAt: at + DRAFT_TTL_MS, updatedAt: at })
      .where(and(eq(kv.key, draftKey(before.token)), eq(kv.version, before.version))),
    guard,
  );
}

/** Deleted only as read: a double submit conflicts and is refused. */
function dropAnonymous(ctx: Ctx, d: AnonymousDraft): Write[] {
  return [ctx.repo.db.delete(kv).where(and(eq(kv.key, draftKey(d.token)), eq(kv.version, d.version))), guard];
}

async function loadDraft(ctx: Ctx, openId: string): Promise<Draft | undefined> {
  const row = await ctx.repo.conversation(openId);
  if (row?.flow !== REPORT_FLOW) return undefined;
  const data = draftSchema.safeParse(row.data);
  if (!data.success) return undefined;
  return { row, data: data.data };
}

function saveDraft(ctx: Ctx, openId: string, before: Conversation | undefined, data: DraftData) {
  ctx.fx.write(
    ...ctx.repo.saveConversation(
      before,
      { openId, flow: REPORT_FLOW, subjectId: null, step: 'real', data, cardRef: null },
      ctx.now,
    ),
  );
}

/** Ends a real-name draft: deleted only as read, the set-aside conversation put back. */
function endDraft(ctx: Ctx, draft: Draft): Write[] {
  const writes: Write[] = [
    ctx.repo.db
      .delete(conversations)
      .where(and(guidedConversationOf(draft.row.openId), eq(conversations.version, draft.row.version))),
    guard,
  ];
  const stash = draft.data.stash as RawConversation | undefined;
  if (stash && typeof stash === 'object' && typeof stash.openId === 'string')
    writes.push(restoreConversation(ctx.repo.db, stash));
  return writes;
}

function mentionedIds(said: Said): string[] {
  return said.mentions
    .map((m) => m.openId)
    .filter((id) => id.startsWith('ou_') && id !== said.openId && id !== said.botOpenId);
}

const privateRef = (ctx: Ctx) => `${PRIVATE_REF_PREFIX}${ctx.deps.newId('r')}`;

/** To a real-name reporter: a fresh message to their direct chat that the outbox forgets once delivered. */
function tell(ctx: Ctx, openId: string, card: object): void {
  ctx.fx.send({ openId }, card, privateRef(ctx));
}

/** To a (possible) anonymous reporter: the card callback's own answer, or a message sent from memory. */
function answerUnrecorded(ctx: Ctx, openId: string, card: object): void {
  if (ctx.fx.inline) ctx.fx.card(card);
  else ctx.fx.sendUnrecorded(openId, card);
}

// ───────────────────────────── starting ─────────────────────────────

export async function startReport(ctx: Ctx, said: Said): Promise<void> {
  ctx.fx.outcome = INTAKE_OUTCOME;
  const drafts = ctx.deps.anonymousDrafts;
  const previousToken = drafts.tokenOf(said.openId, ctx.now.getTime());
  const previous = previousToken ? await loadAnonymous(ctx, previousToken) : undefined;
  if (previous) ctx.fx.write(...dropAnonymous(ctx, previous));
  const token = ctx.deps.newId('d');
  saveAnonymous(ctx, undefined, {
    token,
    step: 'choose',
    m: [...new Set([...(previous?.m ?? []), ...mentionedIds(said)])],
  });
  drafts.mark(said.openId, token, ctx.now.getTime());
  answerUnrecorded(ctx, said.openId, reportChooseCard({ token, resumed: previous !== undefined }));
}

// ───────────────────────────── messages during the intake ─────────────────────────────

/** Messages recorded without their sender: 举报, 查询 <查询码>, and whatever is typed while a draft is open. */
export async function anonymousMessage(ctx: Ctx, said: Said): Promise<boolean> {
  const typed = said.kind === 'text' || said.kind === 'post';
  if (typed && REPORT_WORDS.has(said.words)) {
    await startReport(ctx, said);
    return true;
  }
  const code = typed ? queryCodeIn(said.text, ctx.env.policy, ctx.now) : undefined;
  if (code) return lookupQueryCode(ctx, said, code);
  ctx.fx.outcome = INTAKE_OUTCOME;
  const drafts = ctx.deps.anonymousDrafts;
  const token = drafts.tokenOf(said.openId, ctx.now.getTime());
  const draft = token ? await loadAnonymous(ctx, token) : undefined;
  const note = (title: string, lines: string[], template?: 'orange' | 'grey') =>
    ctx.fx.sendUnrecorded(said.openId, reportNoteCard({ title, lines, ...(template ? { template } : {}) }));
  if (said.kind === 'file' || said.kind === 'image') {
    if (draft?.step === 'choose')
      note(
        '请先选择举报方式',
        ['附件只在实名举报中接收。请先在卡片上点「实名举报」，再发送文件或图片。'],
        'orange',
      );
    else note('匿名举报不接收附件', [ANON_NO_FILES], 'orange');
    return true;
  }
  if (typed && (HELP_WORDS.has(said.words) || said.words === '')) {
    ctx.fx.sendUnrecorded(said.openId, await helpFor(ctx, said.openId));
    return true;
  }
  if (typed && CANCEL_WORDS.has(said.words)) {
    if (draft) ctx.fx.write(...dropAnonymous(ctx, draft));
    drafts.forget(said.openId);
    note('已取消举报', ['填写的内容没有保存。需要时再发送「举报」。'], 'grey');
    return true;
  }
  note('请在表单中填写', [
    draft?.step === 'anon'
      ? '举报事项和内容请填写在匿名举报表单中，然后点提交。'
      : '请先在卡片上选择「实名举报」或「匿名举报」，再在表单中填写。',
    '为保护匿名，举报填写期间发来的消息不记录你的身份，除「帮助」外也不执行其他指令。提交或取消后即可正常使用。',
    '重新开始请发送「举报」，不再举报请发送「取消」。',
  ]);
  return true;
}

/** Files, typed text and 取消 while a real-name report is being written; false when none is under way. */
export async function duringReport(ctx: Ctx, said: Said): Promise<boolean> {
  if (said.chatType !== 'p2p') return false;
  const draft = await loadDraft(ctx, said.openId);
  if (!draft) return false;
  if (said.kind !== 'file' && said.kind !== 'image' && RESERVED.has(said.words)) return false;
  ctx.fx.outcome = INTAKE_OUTCOME;
  const openId = said.openId;
  if (said.kind === 'file' || said.kind === 'image') {
    const key = said.kind === 'file' ? said.file?.fileKey : said.imageKey;
    if (!key || !said.messageId) return false;
    if (draft.data.files.length >= MAX_FILES) {
      tell(
        ctx,
        openId,
        reportNoteCard({
          title: '附件已达上限',
          template: 'orange',
          lines: [`一份举报最多附 ${MAX_FILES} 份文件或图片。更多材料可在办理中按核查人员的要求提供。`],
        }),
      );
      return true;
    }
    const images = draft.data.files.filter((f) => f.kind === 'image').length;
    const file: Attachment = {
      kind: said.kind === 'image' ? 'image' : 'file',
      messageId: said.messageId,
      key,
      name: said.kind === 'file' && said.file?.fileName ? said.file.fileName : `图片${images + 1}`,
    };
    const files = [...draft.data.files, file];
    saveDraft(ctx, openId, draft.row, { ...draft.data, files });
    tell(
      ctx,
      openId,
      reportNoteCard({
        title: '已收到附件',
        template: 'green',
        lines: [
          `已附上「${escapeMd(file.name)}」，共 ${files.length} 份：${files.map((f) => escapeMd(f.name)).join('、')}。`,
          '填写完表单后点「提交实名举报」，附件会一并提交。',
        ],
      }),
    );
    return true;
  }
  if (CANCEL_WORDS.has(said.words)) {
    ctx.fx.write(...endDraft(ctx, draft));
    tell(
      ctx,
      openId,
      reportNoteCard({
        title: '已取消举报',
        template: 'grey',
        lines: ['填写的内容没有保存。需要时再发送「举报」。'],
      }),
    );
    return true;
  }
  tell(
    ctx,
    openId,
    reportNoteCard({
      title: '请在表单中填写',
      lines: [
        '举报事项和内容请填写在举报表单中（可以把刚才的文字复制进去），然后点提交。',
        '重新开始请发送「举报」，不再举报请发送「取消」。',
      ],
    }),
  );
  return true;
}

// ───────────────────────────── card clicks ─────────────────────────────

const tokenValue = reportDraftRef;
const modeValue = reportDraftModeRef;
const STALE_FORM =
  '这张举报卡片已失效（举报已经提交、已取消或已重新开始）。如果提交后没有看到查询码，请重新发送「举报」。';

/** Offered in the person picker: the roster and anyone mentioned in 「举报 @某人」, never the reporter. */
async function pickable(ctx: Ctx, openId: string, mentioned: string[]): Promise<string[]> {
  const ids = new Set([...mentioned, ...(await ctx.repo.roster()).map((r) => r.openId)]);
  ids.delete(openId);
  return [...ids].slice(0, MAX_PEOPLE);
}

async function formFor(
  ctx: Ctx,
  openId: string,
  p: { token: string; mentioned: string[]; files: Attachment[] },
  mode: ReportMode,
  values?: Partial<ReportFormValues>,
  error?: string,
  notice?: string,
) {
  return reportFormCard({
    token: p.token,
    mode,
    people: await pickable(ctx, openId, p.mentioned),
    ...(values ? { values } : {}),
    files: mode === 'real' ? p.files.map((f) => f.name) : [],
    ...(error ? { error } : {}),
    ...(notice ? { notice } : {}),
    limits: ctx.env.policy.limits,
  });
}

const realForm = (
  ctx: Ctx,
  openId: string,
  data: DraftData,
  values?: Partial<ReportFormValues>,
  error?: string,
) => formFor(ctx, openId, { token: data.d, mentioned: data.m, files: data.files }, 'real', values, error);

export async function onMode(ctx: Ctx, a: CardAction): Promise<void> {
  ctx.fx.outcome = INTAKE_OUTCOME;
  const v = modeValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', STALE_FORM);
  const openId = a.operatorOpenId;
  const token = v.data.d;
  const pending = await loadAnonymous(ctx, token);
  if (v.data.m === 'anon') {
    if (!pending) return void ctx.fx.toast('warning', STALE_FORM);
    saveAnonymous(ctx, pending, { token, step: 'anon', m: pending.m });
    ctx.deps.anonymousDrafts.mark(openId, token, ctx.now.getTime());
    ctx.fx.card(await formFor(ctx, openId, { token, mentioned: pending.m, files: [] }, 'anon'));
    ctx.fx.toast('info', '请在表单中填写。系统不会记录你的身份。');
    return;
  }
  // 实名: from here the draft is the person's own conversation, like any application.
  const existing = await loadDraft(ctx, openId);
  if (!pending) {
    if (existing?.data.d !== token) return void ctx.fx.toast('warning', STALE_FORM);
    ctx.fx.card(await realForm(ctx, openId, existing.data));
    return;
  }
  ctx.fx.write(...dropAnonymous(ctx, pending));
  const other = existing ? undefined : await ctx.repo.conversation(openId);
  // Another conversation under way (an unfinished application) is set aside and put back afterwards.
  const stash = existing
    ? existing.data.stash
    : other
      ? await rawConversation(ctx.repo.db, openId)
      : undefined;
  const data: DraftData = {
    d: token,
    files: existing?.data.files ?? [],
    m: [...new Set([...(existing?.data.m ?? []), ...pending.m])],
    ...(stash ? { stash } : {}),
  };
  saveDraft(ctx, openId, existing?.row ?? other, data);
  ctx.deps.anonymousDrafts.forget(openId);
  ctx.fx.card(await realForm(ctx, openId, data));
  ctx.fx.toast('info', '请在表单中填写；文件或图片直接在本对话中发送即可附上。');
}

export async function onCancel(ctx: Ctx, a: CardAction): Promise<void> {
  ctx.fx.outcome = INTAKE_OUTCOME;
  const v = tokenValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', STALE_FORM);
  const cancelled = reportNoteCard({
    title: '已取消举报',
    template: 'grey',
    lines: ['填写的内容没有保存。需要时再发送「举报」。'],
  });
  if (v.data.m !== 'real') {
    const pending = await loadAnonymous(ctx, v.data.d);
    if (!pending) return void ctx.fx.toast('warning', STALE_FORM);
    ctx.fx.write(...dropAnonymous(ctx, pending));
    ctx.deps.anonymousDrafts.forget(a.operatorOpenId);
  } else {
    const draft = await loadDraft(ctx, a.operatorOpenId);
    if (draft?.data.d !== v.data.d) return void ctx.fx.toast('warning', STALE_FORM);
    ctx.fx.write(...endDraft(ctx, draft));
  }
  ctx.fx.card(cancelled);
  ctx.fx.toast('info', '已取消举报，填写的内容没有保存。');
}

function readForm(form: Record<string, unknown>): ReportFormValues {
  return {
    accused: [
      ...new Set(
        listOf(form.accused)
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ],
    matter: textOf(form.matter),
    content: textOf(form.content),
    lookup: textOf(form.accused_name),
  };
}

function accusedProblem(v: ReportFormValues, reporter: string): string | null {
  if (v.accused.length === 0) return '请选择被举报的执法人员。';
  if (v.accused.some((x) => !/^ou_[A-Za-z0-9_-]{1,100}$/.test(x)))
    return '被举报人无法识别，请在「被举报人」中重新选择。';
  if (v.accused.includes(reporter)) return '不能举报自己。如需说明本人的情况，请发送「申请容错」。';
  if (v.accused.length > MAX_ACCUSED) return `一份举报的被举报人不超过 ${MAX_ACCUSED} 人，请分开举报。`;
  return null;
}

// What a review card carries back to 确认提交 / 返回修改: the form as it was filled in, checked again like a form.
const reviewedReport = z.object({
  step: z.enum(['confirm', 'edit']),
  form: z.record(z.string(), z.unknown()),
});
type ReportReview = z.infer<typeof reviewedReport>;

export async function onFile(ctx: Ctx, a: CardAction): Promise<void> {
  ctx.fx.outcome = INTAKE_OUTCOME;
  const v = modeValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', STALE_FORM);
  const reviewed = reviewedReport.safeParse(a.value);
  const review = reviewed.success ? reviewed.data : undefined;
  return v.data.m === 'anon'
    ? fileAnonymous(ctx, a, v.data.d, review)
    : fileRealName(ctx, a, v.data.d, review);
}

/**
 * Everything filing would check, decided without writing anything (the core's checks on a stand-in number):
 * the reason to show on the form, or null when the report may be filed as it stands.
 */
function reportProblem(
  ctx: Ctx,
  values: ReportFormValues,
  reporter: string,
  realName: boolean,
): string | null {
  const problem = accusedProblem(values, reporter);
  if (problem) return problem;
  const d = fileReport(
    {
      type: 'file_report',
      reportId: 'review',
      seq: 0,
      accused: values.accused,
      matter: values.matter,
      content: values.content,
      realName,
      ...(realName ? {} : { queryCode: 'REVIEW' }),
    },
    { openId: realName ? reporter : ANONYMOUS_OPEN_ID, roles: [] },
    ctx.env,
  );
  return d.ok ? null : d.reason;
}

/** The review card for a form that passed every check: nothing is written until 确认提交. */
async function reviewReport(
  ctx: Ctx,
  p: { token: string; mode: ReportMode; values: ReportFormValues; files: string[] },
): Promise<void> {
  ctx.fx.card(
    reportReviewCard({
      ...p,
      accusedNames: await Promise.all(p.values.accused.map((x) => nameOf(ctx, x))),
    }),
  );
  ctx.fx.toast('info', '请核对举报内容，确认后提交。');
}

const NO_CONTACT_SCOPE =
  '应用尚未开通通讯录权限（获取通讯录基本信息 contact:contact.base:readonly，通讯录权限范围为全部成员），暂时无法按姓名查找同事。请联系管理员开通；也可以先发送「举报 @被举报人」，再在列表中选择。';
const CONTACT_UNAVAILABLE =
  '暂时无法查找同事，请稍后再点「查找」；也可以先发送「举报 @被举报人」，再在列表中选择。';

/**
 * 查找: colleagues whose name contains what was typed, through the contact API, added to the picker. The
 * form comes back as typed, in this click's answer, for an anonymous draft keyed by the card's token only.
 */
export async function onFind(ctx: Ctx, a: CardAction): Promise<void> {
  ctx.fx.outcome = INTAKE_OUTCOME;
  const v = modeValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', STALE_FORM);
  const openId = a.operatorOpenId;
  const token = v.data.d;
  const mode = v.data.m;
  const anonymous = mode === 'anon' ? await loadAnonymous(ctx, token) : undefined;
  const real = mode === 'real' ? await loadDraft(ctx, openId) : undefined;
  const draft =
    anonymous?.step === 'anon'
      ? { mentioned: anonymous.m, files: [] }
      : real && real.data.d === token
        ? { mentioned: real.data.m, files: real.data.files }
        : undefined;
  if (!draft) return void ctx.fx.toast('warning', STALE_FORM);
  const values = readForm(a.formValue ?? {});
  const show = async (mentioned: string[], error?: string, notice?: string) =>
    ctx.fx.card(await formFor(ctx, openId, { token, ...draft, mentioned }, mode, values, error, notice));
  const refuse = async (reason: string) => {
    ctx.fx.toast('warning', reason);
    await show(draft.mentioned, reason);
  };
  const name = (values.lookup ?? '').replace(/\s+/g, '');
  if (name === '') return refuse('请先在「被举报人姓名」中输入要查找的姓名，再点「查找」。');
  if (name.length > LOOKUP_MAX_LENGTH) return refuse(`姓名不超过 ${LOOKUP_MAX_LENGTH} 个字，请重新输入。`);
  let found: Colleague[];
  try {
    found = (await ctx.deps.findColleagues(name, MAX_FOUND + 1)).filter((c) => c.openId !== openId);
  } catch (err) {
    return refuse(
      err instanceof LarkCallError && err.code === 99991672 ? NO_CONTACT_SCOPE : CONTACT_UNAVAILABLE,
    );
  }
  if (found.length === 0)
    return refuse(
      `没有找到姓名包含「${name}」的同事。请核对姓名后重新查找，或先发送「举报 @被举报人」，再在列表中选择。`,
    );
  const listed = found.slice(0, MAX_FOUND);
  const mentioned = [...new Set([...listed.map((c) => c.openId), ...draft.mentioned])];
  if (anonymous) saveAnonymous(ctx, anonymous, { token, step: 'anon', m: mentioned });
  else if (real) saveDraft(ctx, openId, real.row, { ...real.data, m: mentioned });
  const more = found.length > MAX_FOUND ? `（只列出前 ${MAX_FOUND} 位，可输入更完整的姓名）` : '';
  await show(
    mentioned,
    undefined,
    `找到 ${listed.length} 位同事${more}：${listed.map((c) => c.name).join('、')}。已加入「被举报的执法人员」列表，请在其中勾选。`,
  );
  ctx.fx.toast('success', `找到 ${listed.length} 位同事，请在列表中勾选。`);
}

/**
 * Files the form as typed, numbered in this year's sequence, with `ending` (the draft's removal) in the same
 * commit; the handlers get their copies. A refusal (the core's, or a lost race) commits nothing.
 */
async function fileForm(
  ctx: Ctx,
  values: ReportFormValues,
  actor: Actor,
  how: Pick<FileReportCommand, 'attachments' | 'realName' | 'queryCode'>,
  ending: Write[],
): Promise<Report | Refusal> {
  const seq = await ctx.repo.nextSeq(`report:${businessDate(ctx.now).slice(0, 4)}`, ctx.now);
  const d = fileReport(
    {
      type: 'file_report',
      reportId: ctx.deps.newId('report'),
      seq: seq.value,
      accused: values.accused,
      matter: values.matter,
      content: values.content,
      ...how,
    },
    actor,
    ctx.env,
  );
  if (!d.ok) return d;
  const r = await applyReport(ctx, null, withoutGroupNotice(d), [...seq.write, ...ending]);
  if (!isRefusal(r)) await sendHandlerCopies(ctx, r);
  return r;
}

/** Decided for a stand-in actor; the query code goes back in this click's answer and nowhere else. */
async function fileAnonymous(ctx: Ctx, a: CardAction, token: string, review?: ReportReview): Promise<void> {
  const draft = await loadAnonymous(ctx, token);
  if (draft?.step !== 'anon') return void ctx.fx.toast('warning', STALE_FORM);
  const values = readForm(review?.form ?? a.formValue ?? {});
  const form = async (error?: string) => {
    ctx.fx.card(
      await formFor(ctx, a.operatorOpenId, { token, mentioned: draft.m, files: [] }, 'anon', values, error),
    );
  };
  if (review?.step === 'edit') return form();
  // The form comes back as typed, with the reason, in this click's answer only.
  const refuse = async (reason: string) => {
    ctx.fx.toast('warning', `${reason}已填写的内容仍在表单中，修改后再提交。`);
    await form(reason);
  };
  const problem = reportProblem(ctx, values, a.operatorOpenId, false);
  if (problem) return refuse(problem);
  if (review?.step !== 'confirm') return reviewReport(ctx, { token, mode: 'anon', values, files: [] });
  const code = ctx.deps.newCode();
  const actor: Actor = { openId: ANONYMOUS_OPEN_ID, roles: [] };
  const r = await fileForm(
    ctx,
    values,
    actor,
    { attachments: [], realName: false, queryCode: code },
    dropAnonymous(ctx, draft),
  );
  if (isRefusal(r)) return refuse(r.reason);
  ctx.deps.anonymousDrafts.forget(a.operatorOpenId);
  ctx.fx.card(queryCodeCard({ number: r.number, code }));
  ctx.fx.toast('success', '匿名举报已提交。请立即保存卡片上的查询码，它只显示这一次。');
}

// Handlers get their own copies (sendHandlerCopies); the core's group message would be one card for all.
function withoutGroupNotice<D extends { intents: { kind: string; template?: string }[] }>(d: D): D {
  return { ...d, intents: d.intents.filter((i) => !(i.kind === 'tell' && i.template === 'report.filed')) };
}

async function fileRealName(ctx: Ctx, a: CardAction, token: string, review?: ReportReview): Promise<void> {
  const openId = a.operatorOpenId;
  const draft = await loadDraft(ctx, openId);
  if (draft?.data.d !== token) {
    // 确认提交 once more: the report it filed, as it stands.
    const typed = review?.step === 'confirm' ? readForm(review.form) : undefined;
    const filed = typed
      ? (await ctx.repo.realNameReportsBy(openId)).find(
          (r) => r.matter === typed.matter.trim() && r.content === typed.content.trim(),
        )
      : undefined;
    if (filed) return showFiled(ctx, filed, 'info', `举报已经提交，编号 ${filed.number}，无需再次提交。`);
    return void ctx.fx.toast('warning', STALE_FORM);
  }
  const values = readForm(review?.form ?? a.formValue ?? {});
  if (review?.step === 'edit') return void ctx.fx.card(await realForm(ctx, openId, draft.data, values));
  const refuse = async (reason: string) => {
    ctx.fx.toast('warning', `${reason}已填写的内容仍在表单中，修改后再提交。`);
    ctx.fx.card(await realForm(ctx, openId, draft.data, values, reason));
  };
  const problem = reportProblem(ctx, values, openId, true);
  if (problem) return refuse(problem);
  if (review?.step !== 'confirm')
    return reviewReport(ctx, { token, mode: 'real', values, files: draft.data.files.map((f) => f.name) });
  const r = await fileForm(
    ctx,
    values,
    await ctx.actor(openId),
    { attachments: draft.data.files, realName: true },
    endDraft(ctx, draft),
  );
  if (isRefusal(r)) return refuse(r.reason);
  await showFiled(ctx, r, 'success', `举报已提交，编号 ${r.number}`);
}

async function showFiled(ctx: Ctx, r: Report, type: 'success' | 'info', toast: string): Promise<void> {
  ctx.fx.card(
    reportFiledCard({
      number: r.number,
      matter: r.matter,
      accused: await Promise.all(r.accused.map((x) => nameOf(ctx, x))),
      files: r.attachments.map((f) => f.name),
    }),
  );
  ctx.fx.toast(type, toast);
}

// ───────────────────────────── 查询 <查询码> ─────────────────────────────

/**
 * Anyone holding the code may learn the outcome. A wrong code and an unknown one get the same card and the
 * same outcome; the answer goes from memory to the asker's direct chat, whoever asks and wherever.
 */
export async function lookupQueryCode(ctx: Ctx, said: Said, code: string): Promise<boolean> {
  const normal = normaliseQueryCode(code);
  if (!CODE_SHAPE.test(normal)) return false;
  const r = await ctx.repo.reportByQueryHash(hashQueryCode(normal));
  const found = r ? queryReportByCode(r, normal, ctx.env) : null;
  ctx.fx.outcome = QUERY_OUTCOME;
  answerUnrecorded(
    ctx,
    said.openId,
    reportQueryCard(
      found && r
        ? {
            number: found.number,
            status: found.status,
            outcome: found.outcome,
            explanation: r.feedback?.kind === 'chat' ? r.feedback.text : null,
          }
        : null,
    ),
  );
  return true;
}
