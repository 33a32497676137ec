// The guided intake (申请容错): one step per card, every answer saved at once, free text and files from the chat.

import { CARD_ACTIONS, caseRef } from '../../../cards/actions';
import { escapeMd } from '../../../cards/common';
import {
  FIELD_LABEL,
  INTAKE_ACTIONS,
  isFormStep,
  isIntakeStep,
  STEP_FIELDS,
  STEP_LABEL,
  TEXT_STEP_FIELD,
} from '../../../cards/intake/model';
import {
  confirmCancelCard,
  draftSavedCard,
  factsCompletedCard,
  fileWithoutDraftCard,
  gotoDirectChatCard,
  intakeCancelledCard,
  intakeSubmittedCard,
  refusalCard,
} from '../../../cards/intake/notes';
import { updateCard } from '../../../cards/update';
import { businessDate } from '../../calendar';
import { recusedFrom, subjectCheck } from '../../cases/access';
import { STATUS_LABEL } from '../../cases/common';
import { decideCase } from '../../cases/decide';
import { missingFacts } from '../../cases/facts';
import { createDraft } from '../../cases/intake';
import type { Actor, Attachment, Case, Decision } from '../../cases/types';
import type { CardAction } from '../../lark/envelope';
import { applyCase, isRefusal } from '../apply';
import type { Ctx } from '../context';
import { emitIntents, trackerRef } from '../intents';
import { COMMAND_WORDS } from '../router';
import { liveCards } from '../templates';
import type { TemplateRenderers } from '../templates/types';
import { normalizeCommand } from '../text';
import { clickedStepCard, draftDoneCard, sendStepCard } from './intake-cards';
import { readStep, stepAfter, stepBefore, textFills } from './intake-flow';
import { openCaseByOrganisation } from './intake-org';
import { stepCard } from './intake-render';
import {
  editable,
  endSession,
  INTAKE_FLOW,
  intakeConversation,
  loadSession,
  saveSession,
} from './intake-session';
import { answer, type Feature, type Said } from './types';

const APPLY_WORDS = new Set(['申请容错', '申请', '容错申请', '我要申请', '申请免责'].map(normalizeCommand));
const ORG_WORD = normalizeCommand('发起容错');
// Words that are commands elsewhere (or the help) are never taken as an answer to a step.
const RESERVED = new Set(
  ['帮助', 'help', '菜单', '?', '你好', 'hi', 'hello', '您好', ...Object.values(COMMAND_WORDS)].map(
    normalizeCommand,
  ),
);
const TYPED_MOVES: Record<string, 'back' | 'pause' | 'cancel'> = {
  [normalizeCommand('上一步')]: 'back',
  [normalizeCommand('保存草稿')]: 'pause',
  [normalizeCommand('取消')]: 'cancel',
  [normalizeCommand('取消申请')]: 'cancel',
};

const caseValue = caseRef;
const stepValue = CARD_ACTIONS[INTAKE_ACTIONS.step];
const gotoValue = CARD_ACTIONS[INTAKE_ACTIONS.goto];
const removeValue = CARD_ACTIONS[INTAKE_ACTIONS.remove];

// ───────────────────────────── live cards and templates ─────────────────────────────

export function intakeTemplates() {
  return {
    // The officer's first message about an organisation-opened case is their tracker, with 补充事实 on it.
    'case.opened_by_organisation': async (ctx, input) =>
      input.case
        ? { card: await liveCards.tracker(ctx, input.case), ref: trackerRef(input.case.id) }
        : {
            card: updateCard({ title: '组织已启动容错认定', lines: ['请发送「我的案件」查看并补充事实。'] }),
          },
    'case.facts_completed': (_ctx, input) => ({
      card: updateCard({
        title: '当事人已补充案件事实',
        template: 'wathet',
        lines: [
          `**案件**：${input.case?.number ?? ''} ${escapeMd(input.case?.facts.title ?? '')}`,
          `**当事人**：${escapeMd(input.case?.subjectName ?? '—')}`,
          '可以安排核查。',
        ],
      }),
    }),
  } satisfies Partial<TemplateRenderers>;
}

// ───────────────────────────── helpers ─────────────────────────────

/** The case a click is about, only for its subject: anyone else is refused and nothing changes. */
async function ownedCase(ctx: Ctx, a: CardAction, caseId: string): Promise<{ c: Case; actor: Actor } | null> {
  const c = await ctx.repo.getCase(caseId);
  if (!c) {
    ctx.fx.toast('warning', '没有找到这份申请，请发送「申请容错」重新开始。');
    return null;
  }
  const actor = await ctx.actor(a.operatorOpenId);
  if (subjectCheck(c, actor, '操作这份申请')) {
    ctx.fx.outcome = 'intake:forbidden';
    ctx.fx.toast('error', '这是他人的申请卡片，只有当事人本人可以操作。如需申请，请发送「申请容错」。');
    return null;
  }
  return { c, actor };
}

/** A click on a draft's card after it was submitted or withdrawn: where the case stands, in its place. */
function notEditable(ctx: Ctx, c: Case, replace = true): void {
  ctx.fx.toast(
    'warning',
    `案件当前状态为「${STATUS_LABEL[c.status]}」，不能再修改。可发送「我的案件」查看进度。`,
  );
  if (replace) ctx.fx.card(draftDoneCard(c));
}

async function apply(ctx: Ctx, c: Case, d: Decision<Case>): Promise<Case | string> {
  const r = await applyCase(ctx, c, d);
  return isRefusal(r) ? r.reason : r;
}

function withoutFields(typed: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out = { ...typed };
  for (const f of fields) delete out[f];
  return out;
}

// ───────────────────────────── starting and resuming ─────────────────────────────

async function openDraft(ctx: Ctx, openId: string): Promise<Case | undefined> {
  const row = await intakeConversation(ctx, openId);
  if (row?.subjectId) {
    const c = await ctx.repo.getCase(row.subjectId);
    if (c && c.subjectOpenId === openId && c.origin === 'individual' && editable(c)) return c;
  }
  return (await ctx.repo.casesOfSubject(openId, ['draft']))[0];
}

/** Guided flows other than the intake that hold a person's conversation; starting an intake would end them. */
const OTHER_FLOWS: Record<string, string> = { report: '举报' };

async function startOrResume(ctx: Ctx, said: Said): Promise<void> {
  const openId = said.openId;
  const other = await ctx.repo.conversation(openId);
  if (other && other.flow !== INTAKE_FLOW) {
    // Never drop another flow's draft silently: the person finishes or cancels it first.
    const what = OTHER_FLOWS[other.flow] ?? '另一项内容';
    ctx.fx.outcome = `intake:blocked-by:${other.flow}`;
    answer(
      ctx,
      said,
      refusalCard(
        '请先完成正在填写的内容',
        `你正在填写${what}。请先提交，或发送「取消」放弃后，再发送「申请容错」。`,
      ),
    );
    return;
  }
  const actor = await ctx.actor(openId);
  let c = await openDraft(ctx, openId);
  let banner: string;
  if (c) {
    banner = '已恢复你上次填写的草稿，之前填写的内容都在。';
    ctx.fx.outcome = 'intake:resumed';
  } else {
    const name = await ctx.deps.userName(openId).catch(() => undefined);
    const d = createDraft(
      { type: 'create_draft', caseId: ctx.deps.newId('case'), ...(name ? { subjectName: name } : {}) },
      actor,
      ctx.env,
    );
    const r = await applyCase(ctx, null, d);
    if (isRefusal(r)) {
      answer(ctx, said, refusalCard('无法开始申请', r.reason));
      return;
    }
    c = r;
    banner =
      '按步骤填写容错认定申请（第十三条：个人可直接提出）。每一步都会自动保存，可以随时离开，发送「申请容错」即可接着填。';
    ctx.fx.outcome = 'intake:started';
  }
  const s = await loadSession(ctx, openId, c);
  saveSession(ctx, s, { step: s.step, paused: false });
  const card = stepCard(ctx, c, s.step, { typed: s.typed, banner });
  if (said.chatType === 'group') {
    await sendStepCard(ctx, c, card, { openId });
    answer(ctx, said, gotoDirectChatCard());
  } else await sendStepCard(ctx, c, card, { said });
}

// ───────────────────────────── messages typed or sent in the chat ─────────────────────────────

async function attach(ctx: Ctx, said: Said): Promise<boolean> {
  const key = said.kind === 'file' ? said.file?.fileKey : said.imageKey;
  if (!key) return false;
  const row = await intakeConversation(ctx, said.openId);
  let c = row?.subjectId ? await ctx.repo.getCase(row.subjectId) : undefined;
  if (!c || c.subjectOpenId !== said.openId || !editable(c)) c = await openDraft(ctx, said.openId);
  // A case the organisation opened for this officer takes their evidence too (they were asked for it).
  c ??= (await ctx.repo.casesOfSubject(said.openId, ['investigating'])).find(
    (x) => x.origin !== 'individual' && editable(x),
  );
  if (!c) {
    ctx.fx.outcome = 'intake:file-without-draft';
    answer(ctx, said, fileWithoutDraftCard());
    return true;
  }
  const attachment: Attachment = {
    kind: said.kind === 'image' ? 'image' : 'file',
    messageId: said.messageId ?? '',
    key,
    name:
      said.kind === 'file' && said.file?.fileName
        ? said.file.fileName
        : `图片${c.facts.evidence.filter((e) => e.kind === 'image').length + 1}`,
  };
  const actor = await ctx.actor(said.openId);
  const r = await apply(ctx, c, decideCase(c, { type: 'attach_evidence', attachment }, actor, ctx.env));
  if (typeof r === 'string') {
    answer(ctx, said, refusalCard('无法添加证据材料', r));
    return true;
  }
  const s = await loadSession(ctx, said.openId, r);
  saveSession(ctx, s, { step: s.step, paused: false });
  ctx.fx.outcome = 'intake:evidence-attached';
  await sendStepCard(
    ctx,
    r,
    stepCard(ctx, r, s.step, {
      typed: s.typed,
      banner: `已添加证据材料「${attachment.name}」，共 ${r.facts.evidence.length} 份。${
        s.step === 'evidence' ? '' : `请继续填写「${STEP_LABEL[s.step]}」。`
      }`,
    }),
    { said },
  );
  return true;
}

async function typedAnswer(ctx: Ctx, said: Said): Promise<boolean> {
  const row = await intakeConversation(ctx, said.openId);
  if (!row?.subjectId) return false;
  const c = await ctx.repo.getCase(row.subjectId);
  if (!c || c.subjectOpenId !== said.openId || !editable(c)) return false;
  const s = await loadSession(ctx, said.openId, c);
  if (s.paused) return false;
  const move = TYPED_MOVES[said.words];
  if (move === 'cancel') {
    answer(ctx, said, confirmCancelCard({ caseId: c.id, individual: c.origin === 'individual' }));
    return true;
  }
  if (move === 'pause') {
    saveSession(ctx, s, { step: s.step, paused: true });
    answer(
      ctx,
      said,
      draftSavedCard({ caseId: c.id, title: c.facts.title, individual: c.origin === 'individual' }),
    );
    return true;
  }
  if (move === 'back') {
    const step = stepBefore(s.step, c.facts, ctx.env);
    saveSession(ctx, s, { step });
    await sendStepCard(ctx, c, stepCard(ctx, c, step, { typed: s.typed }), { said });
    return true;
  }
  if ((said.kind !== 'text' && said.kind !== 'post') || said.text === '' || RESERVED.has(said.words))
    return false;
  const field = TEXT_STEP_FIELD[s.step];
  if (!field) {
    ctx.fx.outcome = 'intake:text-on-form-step';
    await sendStepCard(
      ctx,
      c,
      stepCard(ctx, c, s.step, {
        typed: s.typed,
        banner:
          s.step === 'evidence'
            ? '这一步请直接发送文件或图片；没有证据材料可点「下一步」。'
            : '这一步请在卡片中填写或选择，然后点「下一步」。',
      }),
      { said },
    );
    return true;
  }
  const actor = await ctx.actor(said.openId);
  const r = await apply(
    ctx,
    c,
    decideCase(c, { type: 'update_facts', patch: { [field]: said.text } }, actor, ctx.env),
  );
  if (typeof r === 'string') {
    const typed = { ...s.typed, [field]: said.text };
    saveSession(ctx, s, { step: s.step, typed });
    ctx.fx.outcome = 'intake:text-refused';
    await sendStepCard(ctx, c, stepCard(ctx, c, s.step, { typed, errors: [r] }), { said });
    return true;
  }
  const { stillOpen } = textFills(s.step, r.facts);
  const step = stillOpen ? s.step : stepAfter(s.step, r.facts, ctx.env);
  const typed = withoutFields(s.typed, [field]);
  saveSession(ctx, s, { step, typed });
  ctx.fx.outcome = 'intake:text-saved';
  const banner = `已记录「${FIELD_LABEL[field]}」。${
    stillOpen ? '请在卡片中选择是否造成重大损失、严重不良影响，然后点「下一步」。' : ''
  }`;
  await sendStepCard(ctx, r, stepCard(ctx, r, step, { typed, banner }), { said });
  return true;
}

// ───────────────────────────── card actions ─────────────────────────────

async function onStep(ctx: Ctx, a: CardAction): Promise<void> {
  const v = stepValue.safeParse(a.value);
  if (!v.success || !isIntakeStep(v.data.step)) {
    ctx.fx.toast('warning', '该卡片已过期，请发送「申请容错」继续。');
    return;
  }
  const { step, go } = v.data;
  const owned = await ownedCase(ctx, a, v.data.case);
  if (!owned) return;
  let c = owned.c;
  if (!editable(c)) return notEditable(ctx, c);
  await clickedStepCard(ctx, c, a);
  const s = await loadSession(ctx, a.operatorOpenId, c);
  let typed = s.typed;
  let errors: string[] = [];
  if (isFormStep(step)) {
    const input = readStep(step, a.formValue ?? {}, ctx.env, go === 'next');
    typed = { ...withoutFields(typed, STEP_FIELDS[step]), ...input.typed };
    errors = input.errors;
    if (Object.keys(input.patch).length > 0) {
      const r = await apply(
        ctx,
        c,
        decideCase(c, { type: 'update_facts', patch: input.patch }, owned.actor, ctx.env),
      );
      if (typeof r === 'string') {
        ctx.fx.toast('error', r);
        return;
      }
      c = r;
    }
  }
  if (go === 'pause') {
    saveSession(ctx, s, { step, typed, paused: true });
    ctx.fx.outcome = 'intake:paused';
    ctx.fx.card(
      draftSavedCard({ caseId: c.id, title: c.facts.title, individual: c.origin === 'individual' }),
    );
    ctx.fx.toast('success', '草稿已保存');
    return;
  }
  const target =
    go === 'next'
      ? errors.length > 0
        ? step
        : stepAfter(step, c.facts, ctx.env)
      : go === 'back'
        ? stepBefore(step, c.facts, ctx.env)
        : 'summary';
  saveSession(ctx, s, { step: target, typed, ...(a.messageId ? { cardRef: a.messageId } : {}) });
  ctx.fx.outcome = errors.length > 0 ? 'intake:step-refused' : `intake:${target}`;
  ctx.fx.card(stepCard(ctx, c, target, { typed, errors }));
  if (errors.length > 0) ctx.fx.toast('warning', `有 ${errors.length} 处需要修改，已保留你填写的内容`);
}

async function onGoto(ctx: Ctx, a: CardAction): Promise<void> {
  const v = gotoValue.safeParse(a.value);
  if (!v.success || !isIntakeStep(v.data.step)) return void ctx.fx.toast('warning', '该卡片已过期。');
  const owned = await ownedCase(ctx, a, v.data.case);
  if (!owned) return;
  if (!editable(owned.c)) return notEditable(ctx, owned.c);
  await clickedStepCard(ctx, owned.c, a);
  const s = await loadSession(ctx, a.operatorOpenId, owned.c);
  saveSession(ctx, s, { step: v.data.step });
  ctx.fx.card(stepCard(ctx, owned.c, v.data.step, { typed: s.typed }));
}

async function onSubmit(ctx: Ctx, a: CardAction): Promise<void> {
  const v = caseValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', '该卡片已过期。');
  const owned = await ownedCase(ctx, a, v.data.case);
  if (!owned) return;
  const { c, actor } = owned;
  if (c.status !== 'draft') return notEditable(ctx, c);
  await clickedStepCard(ctx, c, a);
  const year = businessDate(ctx.now).slice(0, 4);
  const seq = c.number === null ? await ctx.repo.nextSeq(`case:${year}`, ctx.now) : undefined;
  const d = decideCase(c, { type: 'submit', ...(seq ? { seq: seq.value } : {}) }, actor, ctx.env);
  const s = await loadSession(ctx, a.operatorOpenId, c);
  if (!d.ok) {
    saveSession(ctx, s, { step: 'summary' });
    ctx.fx.outcome = `intake:submit-refused:${d.code}`;
    ctx.fx.card(stepCard(ctx, c, 'summary', { errors: [d.reason] }));
    ctx.fx.toast('warning', d.reason);
    return;
  }
  // First submission: the tracker is sent fresh below. A resubmission after a return updates the tracker
  // the applicant already has (the decision's own refresh), so there is one live card per case.
  const first = c.number === null;
  const decision = first ? { ...d, intents: d.intents.filter((i) => i.kind !== 'refresh_tracker') } : d;
  const r = await applyCase(ctx, c, decision, seq?.write ?? []);
  if (isRefusal(r)) return void ctx.fx.toast('error', r.reason);
  endSession(ctx, s);
  if (first) ctx.fx.send({ openId: c.subjectOpenId }, await liveCards.tracker(ctx, r), trackerRef(r.id));
  ctx.fx.outcome = 'intake:submitted';
  ctx.fx.card(intakeSubmittedCard({ number: r.number ?? '', title: r.facts.title }));
  ctx.fx.toast('success', `申请已提交，案件编号 ${r.number}`);
}

/** An organisation-opened case: the subject says the facts are complete; handlers hear it, the tracker moves. */
async function onComplete(ctx: Ctx, a: CardAction): Promise<void> {
  const v = caseValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', '该卡片已过期。');
  const owned = await ownedCase(ctx, a, v.data.case);
  if (!owned) return;
  const { c } = owned;
  if (!editable(c) || c.origin === 'individual') return notEditable(ctx, c);
  await clickedStepCard(ctx, c, a);
  const s = await loadSession(ctx, a.operatorOpenId, c);
  const missing = missingFacts(c.facts, ctx.env.policy);
  if (missing.length > 0) {
    const reason = `还有内容没有填写：${missing.join('、')}。`;
    saveSession(ctx, s, { step: 'summary' });
    ctx.fx.card(stepCard(ctx, c, 'summary', { errors: [reason] }));
    ctx.fx.toast('warning', reason);
    return;
  }
  endSession(ctx, s);
  ctx.fx.audit({
    actor: a.operatorOpenId,
    action: 'case.facts_completed',
    subject: `case:${c.id}`,
    after: { missing: [] },
  });
  await emitIntents(
    ctx,
    [
      {
        kind: 'tell',
        to: { roles: ['secretary', 'clerk'], exclude: recusedFrom(c) },
        template: 'case.facts_completed',
        caseId: c.id,
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
    { case: c },
  );
  ctx.fx.outcome = 'intake:facts-completed';
  ctx.fx.card(factsCompletedCard({ number: c.number, title: c.facts.title }));
  ctx.fx.toast('success', '已完成补充');
}

async function onCancel(ctx: Ctx, a: CardAction): Promise<void> {
  const v = caseValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', '该卡片已过期。');
  const owned = await ownedCase(ctx, a, v.data.case);
  if (!owned) return;
  const { c, actor } = owned;
  if (!editable(c)) {
    ctx.fx.toast(
      'warning',
      `申请状态为「${STATUS_LABEL[c.status]}」，不能在这里取消。受理前可在「我的案件」中撤回。`,
    );
    return;
  }
  const s = await loadSession(ctx, a.operatorOpenId, c);
  if (c.origin === 'individual') {
    const r = await apply(ctx, c, decideCase(c, { type: 'withdraw' }, actor, ctx.env));
    if (typeof r === 'string') return void ctx.fx.toast('error', r);
  }
  endSession(ctx, s);
  ctx.fx.outcome = 'intake:cancelled';
  ctx.fx.card(intakeCancelledCard({ individual: c.origin === 'individual', caseId: c.id }));
  ctx.fx.toast('info', c.origin === 'individual' ? '已取消申请' : '已退出填写');
}

async function onRemove(ctx: Ctx, a: CardAction): Promise<void> {
  const v = removeValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', '该卡片已过期。');
  const owned = await ownedCase(ctx, a, v.data.case);
  if (!owned) return;
  if (!editable(owned.c)) return notEditable(ctx, owned.c);
  await clickedStepCard(ctx, owned.c, a);
  const r = await apply(
    ctx,
    owned.c,
    decideCase(owned.c, { type: 'remove_evidence', key: v.data.key }, owned.actor, ctx.env),
  );
  if (typeof r === 'string') return void ctx.fx.toast('warning', r);
  const s = await loadSession(ctx, a.operatorOpenId, r);
  saveSession(ctx, s, { step: 'evidence' });
  ctx.fx.card(stepCard(ctx, r, 'evidence', { banner: '已移除。' }));
}

/** 继续填写 / 补充事实: opens the step where the user left off as a new message (the clicked card may be the tracker). */
async function onResume(ctx: Ctx, a: CardAction): Promise<void> {
  const v = caseValue.safeParse(a.value);
  if (!v.success) return void ctx.fx.toast('warning', '该卡片已过期。');
  const owned = await ownedCase(ctx, a, v.data.case);
  if (!owned) return;
  if (!editable(owned.c)) return notEditable(ctx, owned.c, false);
  const s = await loadSession(ctx, a.operatorOpenId, owned.c);
  saveSession(ctx, s, { step: s.step, paused: false });
  const banner =
    owned.c.origin === 'individual'
      ? '继续填写你的申请，之前填写的内容都在。'
      : '请补充案件事实。每一步都会自动保存，可随时离开后再继续。';
  await sendStepCard(ctx, owned.c, stepCard(ctx, owned.c, s.step, { typed: s.typed, banner }), {
    openId: a.operatorOpenId,
  });
  ctx.fx.outcome = 'intake:resumed';
  ctx.fx.toast('info', `已打开「${STEP_LABEL[s.step]}」，请在下方卡片中填写`);
}

// ───────────────────────────── the feature ─────────────────────────────

export const intakeFeature: Feature = {
  name: 'intake',
  async onMessage(ctx: Ctx, said: Said): Promise<boolean> {
    if (said.words.startsWith(ORG_WORD)) {
      await openCaseByOrganisation(ctx, said);
      return true;
    }
    if (APPLY_WORDS.has(said.words)) {
      await startOrResume(ctx, said);
      return true;
    }
    if (said.chatType !== 'p2p') return false;
    if (said.kind === 'file' || said.kind === 'image') return attach(ctx, said);
    return typedAnswer(ctx, said);
  },
  actions: {
    [INTAKE_ACTIONS.step]: onStep,
    [INTAKE_ACTIONS.goto]: onGoto,
    [INTAKE_ACTIONS.submit]: onSubmit,
    [INTAKE_ACTIONS.complete]: onComplete,
    [INTAKE_ACTIONS.cancel]: onCancel,
    [INTAKE_ACTIONS.remove]: onRemove,
    [INTAKE_ACTIONS.resume]: onResume,
  },
};
