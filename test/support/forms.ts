import { defaultPolicy } from '../../src/policy';
import type { ClickResult, LarkEmulator } from '../../src/sandbox/emulator';

/** The findings form as an investigator fills it for a 第十条第（四）项 case meeting all three conditions. */
export function findingsFormFor(note: string): Record<string, unknown> {
  return {
    items_9: [],
    items_10: ['10.4'],
    items_11: [],
    items_12: [],
    cond_1: 'yes',
    cond_2: 'yes',
    cond_3: 'yes',
    ...Object.fromEntries(defaultPolicy.factors.map((f) => [`factor_${f.id}`, `经核查，${f.name}情况清楚`])),
    outcome: 'exempt',
    error_category: 'procedure',
    enforcement_area: 'shelter_maintenance',
    note,
  };
}

/**
 * 签发 as the secretary does it: the form is checked and answered with a review card, then 确认签发 on it.
 * A refused form comes back as it was, and that answer is returned.
 */
export async function issueAndConfirm(
  emu: LarkEmulator,
  who: string,
  messageId: string,
  form: Record<string, unknown>,
): Promise<ClickResult> {
  const review = await emu.clickButton(who, messageId, '签发认定结论', form);
  if (review.toast?.type !== 'info') return review;
  return emu.clickButton(who, messageId, '确认签发');
}

/**
 * A report filed as the reporter does it: the form is checked and answered with a review card, then 确认提交
 * on it. A refused form comes back as it was, and that answer is returned.
 */
export async function submitReport(
  emu: LarkEmulator,
  who: string,
  messageId: string,
  label: '提交匿名举报' | '提交实名举报',
  form: Record<string, unknown>,
): Promise<ClickResult> {
  const review = await emu.clickButton(who, messageId, label, form);
  if (review.toast?.type !== 'info') return review;
  return emu.clickButton(who, messageId, '确认提交');
}

/**
 * 结束表决 as the secretary does it: the round is checked and a review card with 确认结束表决 comes back (in
 * place on a direct-chat card, to the direct chat from the party group's card), then 确认结束表决 on it.
 * A refusal is returned as it came.
 */
export async function closeVoteAndConfirm(
  emu: LarkEmulator,
  settle: () => Promise<void>,
  who: string,
  messageId: string,
): Promise<ClickResult> {
  const review = await emu.clickButton(who, messageId, '结束表决');
  if (review.toast?.type !== 'info') return review;
  if (review.card) return emu.clickButton(who, messageId, '确认结束表决');
  await settle();
  const card = emu
    .messages({ openId: who })
    .filter((m) => emu.buttons(m.messageId).some((b) => b.text === '确认结束表决'))
    .at(-1);
  if (!card) throw new Error('no 确认结束表决 card reached the secretary');
  return emu.clickButton(who, card.messageId, '确认结束表决');
}
