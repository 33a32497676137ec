/**
 * Filing a report (举报) and asking for its outcome with a query code (查询 <查询码>).
 *
 * Anonymity down to the bytes: everything the bot sends a (possible) reporter goes out under a `private:`
 * ref (sent, never a reply), so the outbox row forgets recipient and content once delivered and leaves no
 * message ref; clicks are answered with toasts only (a card answer can turn into a stored update of the
 * reporter's message when handling is slow). During the intake the conversations row holds a random form
 * token, the files of a real-name report and the people mentioned; it is deleted in the filing commit
 * (a conversation it had set aside is put back byte for byte). An anonymous report is decided with a
 * stand-in actor, so the sender's id never reaches the core; anonymous mode refuses attachments
 * (a file can only be fetched through the message in the reporter's own chat). Every step of the intake
 * records the same outcome, so the inbox and the logs do not tell filing from any other step.
 */

import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import {
  ANON_NO_FILES,
  queryCodeCard,
  type ReportFormValues,
  type ReportMode,
  reportChooseCard,
  reportFiledCard,
  reportFormCard,
  reportNoteCard,
  reportQueryCard,
} from '../../../cards/report-intake';
import { conversations } from '../../../db/schema';
import { businessDate } from '../../calendar';
import { fileReport, hashQueryCode, normaliseQueryCode, queryReportByCode } from '../../cases/reports';
import { type Actor, ANONYMOUS_OPEN_ID, type Attachment } from '../../cases/types';
import type { CardAction } from '../../lark/envelope';
import { PRIVATE_REF_PREFIX } from '../../notify/deliver';
import { guard, type Write } from '../../store';
import type { Conversation } from '../../store/repo';
import { type RawConversation, rawConversation, restoreConversation } from '../../store/repo-reports';
import { applyReport, isRefusal } from '../apply';
import type { Ctx } from '../context';
import { COMMAND_WORDS } from '../router';
import { normalizeCommand } from '../text';
import { nameOf } from './cases-view';
import { sendHandlerCopies } from './reports-view';
import type { Said } from './types';

export const REPORT_FLOW = 'report';
/** One outcome for every step of the intake: the inbox and the logs cannot tell a filing apart. */
export const INTAKE_OUTCOME = 'reports:intake';
export const QUERY_OUTCOME = 'reports:query';

export const REPORT_WORDS = new Set(
  ['举报', '我要举报', '信访举报', '投诉举报', '举报投诉'].map(normalizeCommand),
);
const CANCEL_WORDS = new Set(['取消', '取消举报', '退出'].map(normalizeCommand));
// The help and other commands keep working while a report is being written.
const RESERVED = new Set(
  ['帮助', 'help', '菜单', '?', '你好', 'hi', 'hello', '您好', ...Object.values(COMMAND_WORDS)].map(
    normalizeCommand,
  ),
);
const MAX_FILES = 20;
const MAX_ACCUSED = 20;
const MAX_PEOPLE = 200;

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

interface Draft {
  row: Conversation;
  step: 'choose' | ReportMode;
  data: DraftData;
}

const privateRef = (ctx: Ctx) => `${PRIVATE_REF_PREFIX}${ctx.deps.newId('r')}`;

/** Everything to a (possible) reporter: a fresh message to their direct chat that the outbox forgets. */
function tell(ctx: Ctx, openId: string, card: object): void {
  ctx.fx.send({ openId }, card, privateRef(ctx));
}

async function loadDraft(ctx: Ctx, openId: string): Promise<Draft | undefined> {
  const row = await ctx.repo.conversation(openId);
  if (row?.flow !== REPORT_FLOW) return undefined;
  const data = draftSchema.safeParse(row.data);
  if (!data.success) return undefined;
  const step = row.step === 'real' || row.step === 'anon' ? row.step : 'choose';
  return { row, step, data: data.data };
}

function saveDraft(
  ctx: Ctx,
  openId: string,
  before: Conversation | undefined,
  step: string,
  data: DraftData,
) {
  ctx.fx.write(
    ...ctx.repo.saveConversation(
      before,
      { openId, flow: REPORT_FLOW, subjectId: null, step, data, cardRef: null },
      ctx.now,
    ),
  );
}

/** Ends the draft: deleted only as read (a double submit conflicts and is refused), the set-aside row put back. */
function endDraft(ctx: Ctx, draft: Draft): Write[] {
  const writes: Write[] = [
    ctx.repo.db
      .delete(conversations)
      .where(and(eq(conversations.openId, draft.row.openId), eq(conversations.version, draft.row.version))),
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

// ───────────────────────────── starting ─────────────────────────────

export async function startReport(ctx: Ctx, said: Said): Promise<void> {
  ctx.fx.outcome = INTAKE_OUTCOME;
  const openId = said.openId;
  const existing = await ctx.repo.conversation(openId);
  const draft = existing?.flow === REPORT_FLOW ? await loadDraft(ctx, openId) : undefined;
  // Another conversation under way (an unfinished application) is set aside and put back afterwards.
  const stash = draft ? draft.data.stash : existing ? await rawConversation(ctx.repo.db, openId) : undefined;
  const data: DraftData = {
    d: ctx.deps.newId('d'),
    files: draft?.data.files ?? [],
    m: [...new Set([...(draft?.data.m ?? []), ...mentionedIds(said)])],
    ...(stash ? { stash } : {}),
  };
  saveDraft(ctx, openId, existing, 'choose', data);
  tell(ctx, openId, reportChooseCard({ token: data.d, resumed: draft !== undefined }));
}

// ───────────────────────────── messages during the intake ─────────────────────────────

/** Files, typed text and 取消 while a report is being written; false when no report intake is under way. */
export async function duringReport(ctx: Ctx, said: Said): Promise<boolean> {
  if (said.chatType !== 'p2p') return false;
  const draft = await loadDraft(ctx, said.openId);
  if (!draft) return false;
  if (said.kind !== 'file' && said.kind !== 'image' && RESERVED.has(said.words)) return false;
  ctx.fx.outcome = INTAKE_OUTCOME;
  const openId = said.openId;
  if (said.kind === 'file' || said.kind === 'image') {
    if (draft.step === 'anon') {
      tell(
        ctx,
        openId,
        reportNoteCard({ title: '匿名举报不接收附件', template: 'orange', lines: [ANON_NO_FILES] }),
      );
      return true;
    }
    if (draft.step === 'choose') {
      tell(
        ctx,
        openId,
        reportNoteCard({
          title: '请先选择举报方式',
          template: 'orange',
          lines: ['附件只在实名举报中接收。请先在卡片上点「实名举报」，再发送文件或图片。'],
        }),
      );
      return true;
    }
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
    saveDraft(ctx, openId, draft.row, draft.step, { ...draft.data, files });
    tell(
      ctx,
      openId,
      reportNoteCard({
        title: '已收到附件',
        template: 'green',
        lines: [
          `已附上「${file.name}」，共 ${files.length} 份：${files.map((f) => f.name).join('、')}。`,
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
  if (said.words.startsWith(normalizeCommand('查询'))) {
    const code = said.text.normalize('NFKC').replace(/^\s*查询(码)?\s*/u, '');
    if (await lookupQueryCode(ctx, said, code)) return true;
  }
  tell(
    ctx,
    openId,
    reportNoteCard({
      title: '请在表单中填写',
      lines: [
        draft.step === 'choose'
          ? '请先在卡片上选择「实名举报」或「匿名举报」，再在表单中填写。'
          : '举报事项和内容请填写在举报表单中（可以把刚才的文字复制进去），然后点提交。',
        '重新开始请发送「举报」，不再举报请发送「取消」。',
      ],
    }),
  );
  return true;
}

// ───────────────────────────── card clicks ─────────────────────────────

const tokenValue = z.object({ d: z.string().min(1) });
const modeValue = tokenValue.extend({ m: z.enum(['real', 'anon']) });
const STALE_FORM = '这张举报卡片已失效（举报已经提交、已取消或已重新开始）。如需举报，请发送「举报」。';

async function draftForClick(ctx: Ctx, a: CardAction, token: string): Promise<Draft | undefined> {
  const draft = await loadDraft(ctx, a.operatorOpenId);
  if (draft?.data.d === token) return draft;
  ctx.fx.toast('warning', STALE_FORM);
  return undefined;
}

/** Offered in the person picker: the roster and anyone mentioned in 「举报 @某人」, never the reporter. */
async function pickable(ctx: Ctx, openId: string, mentioned: string[]): Promise<string[]> {
  const ids = new Set([...mentioned, ...(await ctx.repo.roster()).map((r) => r.openId)]);
  ids.delete(openId);
  return [...ids].slice(0, MAX_PEOPLE);
}

async function formFor(
  ctx: Ctx,
  openId: string,
  draft: Draft,
  mode: ReportMode,
  values?: Partial<ReportFormValues>,
  error?: string,
) {
  return reportFormCard({
    token: draft.data.d,
    mode,
    people: await pickable(ctx, openId, draft.data.m),
    ...(values ? { values } : {}),
    files: mode === 'real' ? draft.data.files.map((f) => f.name) : [],
    ...(error ? { error } : {}),
    limits: ctx.env.policy.limits,
  });
}

export async function onMode(ctx: Ctx, a: CardAction): Promise<void> {
  ctx.fx.outcome = INTAKE_OUTCOME;
  const v = modeValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', STALE_FORM);
  const draft = await draftForClick(ctx, a, v.data.d);
  if (!draft) return;
  const mode = v.data.m;
  const dropped = mode === 'anon' ? draft.data.files.length : 0;
  const data = { ...draft.data, ...(mode === 'anon' ? { files: [] } : {}) };
  saveDraft(ctx, a.operatorOpenId, draft.row, mode, data);
  tell(ctx, a.operatorOpenId, await formFor(ctx, a.operatorOpenId, { ...draft, data }, mode));
  ctx.fx.toast(
    'info',
    dropped
      ? `已改为匿名举报，之前发送的 ${dropped} 份附件不会随匿名举报提交。请在新的表单中填写。`
      : '请在下方新的表单中填写。',
  );
}

export async function onCancel(ctx: Ctx, a: CardAction): Promise<void> {
  ctx.fx.outcome = INTAKE_OUTCOME;
  const v = tokenValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', STALE_FORM);
  const draft = await draftForClick(ctx, a, v.data.d);
  if (!draft) return;
  ctx.fx.write(...endDraft(ctx, draft));
  ctx.fx.toast('info', '已取消举报，填写的内容没有保存。');
}

const text = z.string().catch('');
const people = z
  .union([z.array(z.string()), z.string()])
  .transform((x) => (Array.isArray(x) ? x : x ? [x] : []))
  .catch([]);

function readForm(form: Record<string, unknown>): ReportFormValues {
  return {
    accused: [
      ...new Set(
        people
          .parse(form.accused)
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ],
    matter: text.parse(form.matter),
    content: text.parse(form.content),
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

export async function onFile(ctx: Ctx, a: CardAction): Promise<void> {
  ctx.fx.outcome = INTAKE_OUTCOME;
  const v = modeValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', STALE_FORM);
  const draft = await draftForClick(ctx, a, v.data.d);
  if (!draft) return;
  const mode = v.data.m;
  if (draft.step !== mode) return void ctx.fx.toast('warning', STALE_FORM);
  const openId = a.operatorOpenId;
  const values = readForm(a.formValue ?? {});
  const refuse = async (reason: string) => {
    ctx.fx.toast('warning', `${reason}已填写的内容仍在表单中，修改后再提交。`);
    // A real-name reporter's form comes back with the reason; an anonymous one stays as typed, untouched.
    if (mode === 'real') ctx.fx.card(await formFor(ctx, openId, draft, mode, values, reason));
  };
  const problem = accusedProblem(values, openId);
  if (problem) return refuse(problem);
  const year = businessDate(ctx.now).slice(0, 4);
  const seq = await ctx.repo.nextSeq(`report:${year}`, ctx.now);
  const anon = mode === 'anon';
  const code = anon ? ctx.deps.newCode() : undefined;
  // An anonymous report is decided for a stand-in: the sender's id never reaches the record.
  const actor: Actor = anon ? { openId: ANONYMOUS_OPEN_ID, roles: [] } : await ctx.actor(openId);
  const d = fileReport(
    {
      type: 'file_report',
      reportId: ctx.deps.newId('report'),
      seq: seq.value,
      accused: values.accused,
      matter: values.matter,
      content: values.content,
      attachments: anon ? [] : draft.data.files,
      realName: !anon,
      ...(code ? { queryCode: code } : {}),
    },
    actor,
    ctx.env,
  );
  if (!d.ok) return refuse(d.reason);
  // Handlers get their own copies below; the core's group message would be one card for all.
  const decision = {
    ...d,
    intents: d.intents.filter((i) => !(i.kind === 'tell' && i.template === 'report.filed')),
  };
  const r = await applyReport(ctx, null, decision, [...seq.write, ...endDraft(ctx, draft)]);
  if (isRefusal(r)) return refuse(r.reason);
  await sendHandlerCopies(ctx, r);
  if (code) {
    tell(ctx, openId, queryCodeCard({ number: r.number, code }));
    ctx.fx.toast('success', '匿名举报已提交。查询码已单独发给你，只显示一次，请立即保存。');
    return;
  }
  ctx.fx.card(
    reportFiledCard({
      number: r.number,
      matter: r.matter,
      accused: await Promise.all(r.accused.map((x) => nameOf(ctx, x))),
      files: r.attachments.map((f) => f.name),
    }),
  );
  ctx.fx.toast('success', `举报已提交，编号 ${r.number}`);
}

// ───────────────────────────── 查询 <查询码> ─────────────────────────────

const CODE_SHAPE = /^[A-Z0-9]{6,24}$/;

/**
 * Anyone holding the code may learn the outcome. A wrong code and an unknown one get the same card and the
 * same outcome; the answer goes privately, under a private ref, whoever asks and wherever.
 */
export async function lookupQueryCode(ctx: Ctx, said: Said, code: string): Promise<boolean> {
  const normal = normaliseQueryCode(code);
  if (!CODE_SHAPE.test(normal)) return false;
  const r = await ctx.repo.reportByQueryHash(hashQueryCode(normal));
  const found = r ? queryReportByCode(r, normal, ctx.env) : null;
  ctx.fx.outcome = QUERY_OUTCOME;
  tell(
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
