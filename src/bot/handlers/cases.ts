import { z } from 'zod';
import { applicationRef } from '../../../cards/actions';
import {
  type ApplicationCardData,
  type ApplicationMode,
  applicationCard,
  applicationGoneCard,
  applicationNoAccessCard,
  notPartyChatCard,
} from '../../../cards/application';
import { caseDetailCard } from '../../../cards/case-detail';
import { clip, escapeMd } from '../../../cards/common';
import { updateCard } from '../../../cards/update';
import { businessDate } from '../../calendar';
import { canView, decideCase } from '../../cases';
import { handlerCheck, recusedFrom } from '../../cases/access';
import { wrongState } from '../../cases/common';
import type { Actor, Case, Decision, Recipient, Role } from '../../cases/types';
import type { CardAction } from '../../lark/envelope';
import { formatCaseNumber, type Policy, parseCaseNumber } from '../../policy';
import { applicationCopies, applicationCopyRef } from '../../store/repo-cases';
import { applyCase, isRefusal } from '../apply';
import type { Ctx } from '../context';
import { nameOf } from '../shared/names';
import type { Rendered, RenderInput, TemplateRenderers } from '../templates/types';
import { afterListClick, listToSend } from './cases-lists';
import { applicationData, detailData, type FreshEntry, resumeValue } from './cases-view';
import { lookupQueryCode } from './reports-intake';
import { answer, type Feature, type Said } from './types';

// ───────────────────────────── words ─────────────────────────────

const MINE_WORDS = new Set(['我的案件', '我的申请', '案件列表', '我的案子']);
const TODO_WORDS = new Set(['待办', '待办事项', '我的待办']);

export type QueryArg =
  | { kind: 'empty' }
  | { kind: 'number'; number: string }
  | { kind: 'other'; text: string };

/** Reads what follows 查询: a case number in any of the ways people type it, or something else (a query code). */
export function parseQueryArg(policy: Policy, text: string, now: Date): QueryArg {
  const arg = text
    .normalize('NFKC')
    .replace(/^\s*查询(码)?\s*/u, '')
    .replace(/[\s。.!！?？]+$/u, '')
    .trim();
  if (arg === '') return { kind: 'empty' };
  const full = parseCaseNumber(policy, arg);
  if (full) return { kind: 'number', number: formatCaseNumber(policy, full.year, full.seq) };
  const short = /^(?:容错)?[〔[(【]?(\d{4})[〕\])】]?\s*[-/.年第—－]?\s*(\d{1,6})\s*号?$/u.exec(arg);
  if (short?.[1] && short[2]) {
    return { kind: 'number', number: formatCaseNumber(policy, Number(short[1]), Number(short[2])) };
  }
  const bare = /^第?(\d{1,6})号?$/u.exec(arg);
  if (bare?.[1]) {
    const year = Number(businessDate(now).slice(0, 4));
    return { kind: 'number', number: formatCaseNumber(policy, year, Number(bare[1])) };
  }
  return { kind: 'other', text: arg };
}

const NOT_VISIBLE =
  '没有找到你可以查看的这件案件。请核对编号；案件只有当事人、党组成员、党组书记、经办人和被指派的核查人员可以查看。';

/** Case contents never go into a group chat: the answer goes to the sender's direct chat. */
function answerPrivately(ctx: Ctx, said: Said, card: object, ref?: string): void {
  if (said.chatType !== 'group') {
    answer(ctx, said, card, ref);
    return;
  }
  ctx.fx.send({ openId: said.openId }, card, ref);
  answer(
    ctx,
    said,
    updateCard({ title: '已私信回复', lines: ['案件信息只在私聊中发送，请查看与容错纠错助手的私聊。'] }),
  );
}

async function showMine(ctx: Ctx, said: Said): Promise<void> {
  const list = await listToSend(ctx, 'mine', said.openId);
  ctx.fx.outcome = `cases:mine:${list.count}`;
  answerPrivately(ctx, said, list.card, list.ref);
}

async function showTodo(ctx: Ctx, said: Said): Promise<void> {
  const list = await listToSend(ctx, 'todo', said.openId);
  ctx.fx.outcome = `cases:todo:${list.count}`;
  answerPrivately(ctx, said, list.card, list.ref);
}

/** Answers 查询; false when the words are more likely an answer typed into a conversation under way. */
async function showQuery(ctx: Ctx, said: Said): Promise<boolean> {
  const { policy } = ctx.env;
  const q = parseQueryArg(policy, said.text, ctx.now);
  // A query code is answered whatever else the person is doing: it must never be taken as an answer
  // typed into a draft (it would then be stored beside their name).
  if (q.kind === 'other' && (await lookupQueryCode(ctx, said, q.text))) return true;
  // 「查询违规建筑时…」 typed as an intake answer is the user's text, not a command.
  if (q.kind === 'other' && (await ctx.repo.conversation(said.openId))) return false;
  if (q.kind === 'empty') {
    ctx.fx.outcome = 'cases:query:usage';
    answer(
      ctx,
      said,
      updateCard({
        title: '查询',
        lines: [
          '请在「查询」后面写上案件编号，例如：',
          '「查询 容错〔2026〕7号」，也可以简写为「查询 2026-7」。',
          '匿名举报人请在「查询」后面写上举报时收到的查询码。',
        ],
        buttons: [{ label: '我的案件', value: { a: 'cmd', cmd: 'mine' } }],
      }),
    );
    return true;
  }
  if (q.kind === 'other') {
    ctx.fx.outcome = 'cases:query:not-a-number';
    answer(
      ctx,
      said,
      updateCard({
        title: '查询',
        template: 'orange',
        lines: [
          `「${escapeMd(clip(q.text, 30))}」不是案件编号。`,
          '- 查询案件：发送「查询 容错〔2026〕7号」，也可以简写为「查询 2026-7」。',
          '- 查询码用于查询匿名举报的办理结果（第十八条）：发送「查询」加举报时收到的查询码。查不到结果时，请核对查询码后再试，或联系经办人。',
        ],
        buttons: [{ label: '我的案件', value: { a: 'cmd', cmd: 'mine' } }],
      }),
    );
    return true;
  }
  const actor = await ctx.actor(said.openId);
  const c = await ctx.repo.caseByNumber(q.number);
  if (!c || !canView(c, actor)) {
    // The same answer whether the case exists or not.
    ctx.fx.outcome = 'cases:query:refused';
    answer(ctx, said, updateCard({ title: `查询 ${q.number}`, template: 'orange', lines: [NOT_VISIBLE] }));
    return true;
  }
  ctx.fx.outcome = 'cases:query:shown';
  answerPrivately(ctx, said, caseDetailCard(await detailData(ctx, c, said.openId)));
  return true;
}

// ───────────────────────────── the application card ─────────────────────────────

/** The card a handler acts on (or whose form they fill in), as the case stands in the database. */
async function applicationCardFor(ctx: Ctx, c: Case, mode: ApplicationMode) {
  return applicationCard({ ...(await applicationData(ctx, c, mode)), readOnly: false });
}

const NO_LONGER_VISIBLE =
  '你已不能查看这件案件：案件只有当事人、党组成员、党组书记、经办人和被指派的核查人员可以查看，当事人不能办理自己的案件。如有疑问，请联系党组书记。';

/** The case's 'view' data, read (handling record, names) at most once however many copies show it. */
function viewOnce(ctx: Ctx, c: Case, fresh: FreshEntry[]): () => Promise<ApplicationCardData> {
  let data: Promise<ApplicationCardData> | undefined;
  return () => (data ??= applicationData(ctx, c, 'view', fresh));
}

/** The application card one person's copy shows: with the buttons they may use, read-only, or nothing. */
async function applicationCardForViewer(ctx: Ctx, c: Case, openId: string, data: ApplicationCardData) {
  const viewer = await ctx.actor(openId);
  if (!canView(c, viewer)) return applicationNoAccessCard(NO_LONGER_VISIBLE);
  const handling = handlerCheck(c, viewer, '办理申请') === null;
  return applicationCard({ ...data, readOnly: !handling });
}

/**
 * Brings every delivered copy of the application card up to date for whoever reads it, except the one the
 * click answer replaces: a person who lost the right, or a group that is no longer the party chat, sees
 * the case no more.
 */
async function refreshApplicationCards(
  ctx: Ctx,
  c: Case,
  view: () => Promise<ApplicationCardData>,
  exceptMessageId?: string,
): Promise<void> {
  const copies = (await applicationCopies(ctx.repo.db, c.id)).filter((x) => x.messageId !== exceptMessageId);
  if (copies.length === 0) return;
  const party = await ctx.repo.chatFor('party');
  for (const x of copies) {
    const to = x.viewer;
    let card: object;
    if (!to) card = applicationGoneCard();
    else if ('chatId' in to) {
      if (to.chatId !== party) card = notPartyChatCard();
      else card = applicationCard({ ...(await view()), readOnly: false });
    } else card = await applicationCardForViewer(ctx, c, to.openId, await view());
    ctx.fx.patch({ ref: x.ref }, card);
  }
}

const caseValue = applicationRef;
const returnForm = z.object({ reason: z.string().max(20_000).optional() });
const assignForm = z.object({ investigator: z.string().max(200).optional() });

async function loadForClick(ctx: Ctx, a: CardAction): Promise<{ c: Case; actor: Actor } | undefined> {
  const v = caseValue.safeParse(a.value);
  if (!v.success) {
    ctx.fx.toast('warning', '该卡片已过期或操作无效，请发送「待办」查看当前事项');
    return undefined;
  }
  const c = await ctx.repo.getCase(v.data.caseId);
  if (!c) {
    ctx.fx.toast('error', '没有找到该案件，卡片可能已过期。请发送「待办」查看当前事项。');
    return undefined;
  }
  return { c, actor: await ctx.actor(a.operatorOpenId) };
}

/** Records the decisions in order (all or none), then shows the new card to everyone on it. */
async function decideAndShow(
  ctx: Ctx,
  a: CardAction,
  steps: { before: Case; decision: Decision<Case> }[],
  done: string,
): Promise<void> {
  const refused = steps.find((s) => !s.decision.ok)?.decision;
  if (refused && !refused.ok) {
    ctx.fx.outcome = 'cases:refused';
    ctx.fx.toast('error', refused.reason);
    return;
  }
  let last: Case | undefined;
  const fresh: FreshEntry[] = [];
  for (const s of steps) {
    const r = await applyCase(ctx, s.before, s.decision);
    if (isRefusal(r)) throw new Error('a decision checked as ok was refused');
    if (s.decision.ok) fresh.push(...s.decision.audit);
    last = r;
  }
  if (!last) return;
  const view = viewOnce(ctx, last, fresh);
  ctx.fx.card(applicationCard({ ...(await view()), readOnly: false })).toast('success', done);
  await refreshApplicationCards(ctx, last, view, a.messageId);
}

async function onAccept(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await loadForClick(ctx, a);
  if (!got) return;
  const { c, actor } = got;
  const d = decideCase(c, { type: 'accept' }, actor, ctx.env);
  await decideAndShow(ctx, a, [{ before: c, decision: d }], '已受理，申请人会收到通知');
}

/** Shows a form on the card, only to those the core would let act (a form is not a change). */
async function openForm(ctx: Ctx, a: CardAction, mode: 'return' | 'assign'): Promise<void> {
  const got = await loadForClick(ctx, a);
  if (!got) return;
  const { c, actor } = got;
  const denied = handlerCheck(c, actor, mode === 'return' ? '退回申请' : '指派核查人员');
  const allowed = mode === 'return' ? ['submitted'] : ['submitted', 'investigating'];
  const refusal =
    denied ??
    (allowed.includes(c.status) ? null : wrongState(c, mode === 'return' ? '退回' : '指派核查人员'));
  if (refusal && !refusal.ok) {
    ctx.fx.toast('error', refusal.reason);
    // A stale card shows the case as it is now.
    if (!denied) ctx.fx.card(await applicationCardFor(ctx, c, 'view'));
    return;
  }
  ctx.fx.card(await applicationCardFor(ctx, c, mode));
}

async function onReturn(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await loadForClick(ctx, a);
  if (!got) return;
  const { c, actor } = got;
  const form = returnForm.safeParse(a.formValue ?? {});
  const reason = form.success ? (form.data.reason ?? '').trim() : '';
  if (reason === '') {
    ctx.fx.outcome = 'cases:return:empty';
    ctx.fx.toast('error', '「退回理由」不能为空：请写明需要申请人补充或修改的内容，再点「确认退回」。');
    return;
  }
  const d = decideCase(c, { type: 'return', reason }, actor, ctx.env);
  await decideAndShow(ctx, a, [{ before: c, decision: d }], '已退回，申请人会收到退回理由');
}

async function onAssign(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await loadForClick(ctx, a);
  if (!got) return;
  const { c, actor } = got;
  const form = assignForm.safeParse(a.formValue ?? {});
  const chosen = form.success ? (form.data.investigator ?? '').trim() : '';
  if (chosen === '') {
    ctx.fx.outcome = 'cases:assign:empty';
    ctx.fx.toast('error', '请先选择「核查人员」，再点「确认指派」。');
    return;
  }
  const investigator = await ctx.actor(chosen);
  const steps: { before: Case; decision: Decision<Case> }[] = [];
  let base = c;
  // Assigning straight from a new application accepts it first (both recorded, or neither).
  if (c.status === 'submitted') {
    const accepted = decideCase(c, { type: 'accept' }, actor, ctx.env);
    steps.push({ before: c, decision: accepted });
    if (accepted.ok) base = accepted.state;
  }
  if (steps.every((s) => s.decision.ok)) {
    steps.push({
      before: base,
      decision: decideCase(base, { type: 'assign_investigator', investigator }, actor, ctx.env),
    });
  }
  await decideAndShow(ctx, a, steps, `已指派核查人员 ${await nameOf(ctx, chosen, c)}`);
}

/** 取消 on a form: the card again, only for those who may handle the case (the form was theirs). */
async function onView(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await loadForClick(ctx, a);
  if (!got) return;
  const { c, actor } = got;
  if (!canView(c, actor)) {
    ctx.fx.outcome = 'cases:view:refused';
    ctx.fx.toast('error', NOT_VISIBLE);
    return;
  }
  const denied = handlerCheck(c, actor, '办理申请');
  if (denied) {
    ctx.fx.outcome = 'cases:view:refused';
    ctx.fx.toast('error', denied.reason);
    return;
  }
  ctx.fx.card(await applicationCardFor(ctx, c, 'view'));
}

/** Opens a case from a list, a notice or 待办: sent to the clicker's direct chat, only if they may see it. */
async function onOpen(ctx: Ctx, a: CardAction): Promise<void> {
  const got = await loadForClick(ctx, a);
  if (!got) return;
  const { c, actor } = got;
  if (!canView(c, actor)) {
    ctx.fx.outcome = 'cases:open:refused';
    ctx.fx.toast('error', NOT_VISIBLE);
    return;
  }
  const to = { openId: actor.openId };
  const handling = handlerCheck(c, actor, '办理申请') === null;
  if (handling && (c.status === 'submitted' || c.status === 'investigating')) {
    // A handler's own copy of the application card, kept in step with the party group's.
    ctx.fx.send(
      to,
      await applicationCardFor(ctx, c, 'view'),
      applicationCopyRef(c.id, to, ctx.deps.newId('m')),
    );
  } else {
    ctx.fx.send(to, caseDetailCard(await detailData(ctx, c, actor.openId)));
  }
  ctx.fx.toast('success', '已在私聊中发送案件详情');
}

// ───────────────────────────── templates ─────────────────────────────

/** Each handler, or when there is none yet (and no party group to read it in) the party members; never the subject. */
async function applicationReaders(ctx: Ctx, c: Case, partyChat: boolean): Promise<string[]> {
  const ids = (roles: Role[]) =>
    Promise.all(roles.map((r) => ctx.repo.withRole(r))).then((rows) => [
      ...new Set(rows.flat().map((x) => x.openId)),
    ]);
  const recused = recusedFrom(c);
  const handlers = (await ids(['secretary', 'clerk'])).filter((x) => !recused.includes(x));
  if (handlers.length > 0 || partyChat) return handlers;
  // Nobody to handle it yet: the party members hear of it rather than no one.
  return (await ids(['secretary', 'party_member'])).filter((x) => !recused.includes(x));
}

/** Where news of the application goes: the party group when one is bound, otherwise its readers. */
async function applicationRecipient(ctx: Ctx, c: Case): Promise<Recipient> {
  if (await ctx.repo.chatFor('party')) return { chat: 'party' };
  const recused = recusedFrom(c);
  const handlers = [...(await ctx.repo.withRole('secretary')), ...(await ctx.repo.withRole('clerk'))];
  if (handlers.some((h) => !recused.includes(h.openId)))
    return { roles: ['secretary', 'clerk'], exclude: recused };
  return { roles: ['secretary', 'party_member'], exclude: recused };
}

function plainNotice(title: string): Rendered {
  return { card: updateCard({ title, lines: ['案件有新的进展，请发送「我的案件」查看。'] }) };
}

async function renderSubmitted(ctx: Ctx, input: RenderInput): Promise<Rendered> {
  const c = input.case;
  if (!c) return plainNotice('新的容错认定申请');
  const fresh: FreshEntry[] = [
    {
      action: 'case.submitted',
      actorOpenId: c.subjectOpenId,
      after: {},
      at: Date.parse(c.submittedAt ?? c.updatedAt),
    },
  ];
  const data = await applicationData(ctx, c, 'view', fresh);
  const card = applicationCard({ ...data, readOnly: false });
  const party = await ctx.repo.chatFor('party');
  // The secretary and the clerks are told in their own chat too (a clerk need not be in the party group).
  // Each reader's copy is named after them, so later updates are rendered for them (and stop if they lose the right).
  for (const openId of await applicationReaders(ctx, c, party !== undefined))
    ctx.fx.send(
      { openId },
      await applicationCardForViewer(ctx, c, openId, data),
      applicationCopyRef(c.id, { openId }),
    );
  if (party) return { card, ref: applicationCopyRef(c.id, { chatId: party }), to: { chat: { id: party } } };
  return { card, to: { roles: [], exclude: [] } };
}

async function renderAccepted(_ctx: Ctx, input: RenderInput): Promise<Rendered> {
  const c = input.case;
  if (!c) return plainNotice('申请已受理');
  const due = c.decisionDueOn ? [`**认定期限**：预计 ${c.decisionDueOn} 前作出认定`] : [];
  return {
    card: updateCard({
      title: '你的容错认定申请已受理',
      template: 'green',
      lines: [
        `**案件编号**：${c.number ?? ''}`,
        `**事项名称**：${escapeMd(c.facts.title)}`,
        ...due,
        '接下来由核查人员核实情况，再由党组集体研究认定（第十三条）。有新进展时会通知你。',
      ],
      buttons: [{ label: '查看案件', value: { a: 'case.open', caseId: c.id } }],
    }),
  };
}

async function renderReturned(_ctx: Ctx, input: RenderInput): Promise<Rendered> {
  const c = input.case;
  if (!c) return plainNotice('申请已退回补充');
  const reason =
    typeof input.intent.data?.reason === 'string' ? input.intent.data.reason : (c.returnReason ?? '');
  return {
    card: updateCard({
      title: '你的容错认定申请已退回补充',
      template: 'orange',
      lines: [
        `**案件编号**：${c.number ?? ''}`,
        `**事项名称**：${escapeMd(c.facts.title)}`,
        `**退回理由**：${escapeMd(reason)}`,
        '已填写的内容都已保存。请按退回理由补充或修改后重新提交。',
      ],
      buttons: [
        { label: '继续补充', value: resumeValue(c.id), type: 'primary' },
        { label: '查看案件', value: { a: 'case.open', caseId: c.id } },
      ],
    }),
  };
}

async function renderWithdrawn(ctx: Ctx, input: RenderInput): Promise<Rendered> {
  const c = input.case;
  if (!c) return plainNotice('申请已撤回');
  const fresh: FreshEntry[] = [{ action: 'case.withdrawn', actorOpenId: c.subjectOpenId, after: {} }];
  await refreshApplicationCards(ctx, c, viewOnce(ctx, c, fresh));
  return {
    to: await applicationRecipient(ctx, c),
    card: updateCard({
      title: '容错认定申请已撤回',
      template: 'grey',
      lines: [
        `**案件编号**：${c.number ?? ''}`,
        `**事项名称**：${escapeMd(c.facts.title)}`,
        `**当事人**：${escapeMd(await nameOf(ctx, c.subjectOpenId, c))}`,
        '当事人已在受理前撤回申请，无需再办理。',
      ],
    }),
  };
}

export const caseTemplates = {
  'case.submitted': renderSubmitted,
  'case.accepted': renderAccepted,
  'case.returned': renderReturned,
  'case.withdrawn': renderWithdrawn,
} satisfies Partial<TemplateRenderers>;

/** Brings every copy of the case's application card up to date, keeping the card being answered in place. */
export function refreshApplications(ctx: Ctx, c: Case): Promise<void> {
  return refreshApplicationCards(ctx, c, viewOnce(ctx, c, []), ctx.fx.answering);
}

// ───────────────────────────── the feature ─────────────────────────────

export const casesFeature: Feature = {
  name: 'cases',
  async onMessage(ctx, said) {
    if (said.kind !== 'text' && said.kind !== 'post') return false;
    if (MINE_WORDS.has(said.words)) {
      await showMine(ctx, said);
      return true;
    }
    if (TODO_WORDS.has(said.words)) {
      await showTodo(ctx, said);
      return true;
    }
    // Long text that merely starts with 查询 is someone's narrative, not a command.
    if (said.words.startsWith('查询') && said.words.length <= 40) return showQuery(ctx, said);
    return false;
  },
  actions: {
    'case.accept': onAccept,
    'case.return.open': (ctx, a) => openForm(ctx, a, 'return'),
    'case.return': onReturn,
    'case.assign.open': (ctx, a) => openForm(ctx, a, 'assign'),
    'case.assign': onAssign,
    'case.view': onView,
    'case.open': onOpen,
  },
  afterAction: afterListClick,
};
