/**
 * One live card per draft. Every step card goes out under the draft's ref; the card it replaces says so
 * and points to the newest one, and a click on an older card makes that card the one in use (what was
 * filled in on it is kept), the other one saying so in turn. Once the draft is submitted or withdrawn, a
 * click on any of its cards answers with where the case stands.
 */
import { eq } from 'drizzle-orm';
import { escapeMd } from '../../../cards/common';
import { updateCard } from '../../../cards/update';
import { messageRefs } from '../../../db/schema';
import { STATUS_LABEL } from '../../cases/common';
import type { Case } from '../../cases/types';
import type { CardAction } from '../../lark/envelope';
import type { Ctx } from '../context';
import { nextStep, resumeValue } from './cases-view';
import { answer, type Said } from './types';

export const intakeCardRef = (caseId: string) => `intake:${caseId}`;

/** What an earlier step card of a draft shows once a newer one is in use. */
export function supersededDraftCard(c: Case) {
  return updateCard({
    title: '此卡片已由新的申请卡片取代',
    template: 'grey',
    lines: [
      `**事项名称**：${c.facts.title ? escapeMd(c.facts.title) : '（未命名事项）'}`,
      '申请已在对话中更新的卡片上继续填写，这张卡片不再使用，填写的内容都已保存。请在最新的申请卡片上操作，或点「继续填写」重新打开。',
    ],
    buttons: [{ label: '继续填写', value: resumeValue(c.id), type: 'primary' }],
  });
}

/** Where a submitted or withdrawn draft's case stands, in place of one of its step cards. */
export function draftDoneCard(c: Case) {
  return updateCard({
    title:
      c.status === 'withdrawn' ? '申请已撤回' : c.origin === 'individual' ? '申请已提交' : '事实补充已结束',
    template: 'grey',
    lines: [
      ...(c.number ? [`**案件编号**：${c.number}`] : []),
      `**事项名称**：${c.facts.title ? escapeMd(c.facts.title) : '（未命名事项）'}`,
      `**当前状态**：${STATUS_LABEL[c.status]}`,
      `**下一步**：${nextStep(c)}`,
      '这张申请卡片已不再使用。',
    ],
    buttons: c.status === 'withdrawn' ? [] : [{ label: '查看案件', value: { a: 'case.open', caseId: c.id } }],
  });
}

async function currentCard(ctx: Ctx, caseId: string): Promise<string | undefined> {
  const [row] = await ctx.repo.db
    .select({ messageId: messageRefs.messageId })
    .from(messageRefs)
    .where(eq(messageRefs.ref, intakeCardRef(caseId)));
  return row?.messageId;
}

/** A step card sent as a new message (an answer to what was typed or sent, or a resumed draft). */
export async function sendStepCard(
  ctx: Ctx,
  c: Case,
  card: object,
  to: { said: Said } | { openId: string },
): Promise<void> {
  const before = await currentCard(ctx, c.id);
  if (before) ctx.fx.patch({ messageId: before }, supersededDraftCard(c));
  const ref = intakeCardRef(c.id);
  if ('said' in to) answer(ctx, to.said, card, ref);
  else ctx.fx.send({ openId: to.openId }, card, ref);
}

/** The clicked step card answers in place: it becomes the card in use, the one in use before says so. */
export async function clickedStepCard(ctx: Ctx, c: Case, a: CardAction): Promise<void> {
  if (!a.messageId) return;
  const before = await currentCard(ctx, c.id);
  if (before === a.messageId) return;
  if (before) ctx.fx.patch({ messageId: before }, supersededDraftCard(c));
  const at = ctx.now.getTime();
  const row = { messageId: a.messageId, updatedAt: at, chatId: a.chatId ?? null };
  ctx.fx.write(
    ctx.repo.db
      .insert(messageRefs)
      .values({ ref: intakeCardRef(c.id), ...row })
      .onConflictDoUpdate({ target: messageRefs.ref, set: row }),
  );
}
