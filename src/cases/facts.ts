import { isIsoDate } from '../calendar';
import { idsOf, itemArticle, refuse, textTooLong } from './common';
import type { CaseFacts, Env, FactsPatch, Policy, Refusal } from './types';

export function emptyFacts(): CaseFacts {
  return {
    title: '',
    occurredOn: null,
    stage: null,
    unitId: null,
    story: '',
    lossAndImpact: '',
    majorLoss: null,
    seriousImpact: null,
    remedies: '',
    items: [],
    conditions: {},
    evidence: [],
    errorCategory: null,
    enforcementArea: null,
  };
}

/**
 * The least a free-text fact must say to stand in a formal record: so many characters, so many of them
 * Chinese (「asdf」 is not an account of events).
 */
const FACT_TEXT_MIN = {
  story: { chars: 6, hanzi: 4, hint: '请写明时间、地点、经过和当时的考虑' },
  lossAndImpact: { chars: 1, hanzi: 1, hint: '没有损失的请写「无」' },
  remedies: { chars: 1, hanzi: 1, hint: '没有采取措施的请写「无」' },
} as const;

const HANZI = /\p{Script=Han}/gu;

/** Checks the fields present in a patch; returns the normalised patch or a refusal naming the field. */
export function validateFactsPatch(patch: FactsPatch, env: Env, today: string): FactsPatch | Refusal {
  const { policy } = env;
  const out: FactsPatch = { ...patch };
  if (patch.title !== undefined) {
    const title = patch.title.trim();
    if (title === '') return refuse('invalid', '「事项名称」不能为空。');
    if (title.length > policy.limits.titleMaxLength)
      return refuse('invalid', `「事项名称」不能超过 ${policy.limits.titleMaxLength} 个字。`);
    out.title = title;
  }
  if (patch.occurredOn !== undefined && patch.occurredOn !== null) {
    if (!isIsoDate(patch.occurredOn))
      return refuse('invalid', '「发生日期」格式不正确，请按“2026-03-01”的格式填写。');
    if (patch.occurredOn > today) return refuse('invalid', '「发生日期」不能晚于今天。');
  }
  if (patch.stage != null && !idsOf(policy.enforcementStages).includes(patch.stage))
    return refuse('invalid', '「执法环节」不在可选范围内。');
  if (patch.unitId != null && !idsOf(policy.units).includes(patch.unitId))
    return refuse('invalid', '「科室」不在可选范围内。');
  for (const [key, label] of [
    ['story', '事情经过'],
    ['lossAndImpact', '损失和影响'],
    ['remedies', '补救措施'],
  ] as const) {
    const v = patch[key];
    if (v === undefined) continue;
    if (textTooLong(policy, v))
      return refuse('invalid', `「${label}」不能超过 ${policy.limits.textMaxLength} 个字。`);
    const text = v.trim();
    const min = FACT_TEXT_MIN[key];
    if (text !== '' && ([...text].length < min.chars || (text.match(HANZI)?.length ?? 0) < min.hanzi))
      return refuse('invalid', `「${label}」过于简略，请用中文如实填写（${min.hint}）。`);
    out[key] = text;
  }
  if (patch.items !== undefined) {
    const unknown = patch.items.filter((id) => itemArticle(policy, id) === null);
    if (unknown.length > 0) return refuse('invalid', `「适用情形」中有不存在的条目：${unknown.join('、')}。`);
    out.items = [...new Set(patch.items)];
  }
  if (patch.conditions !== undefined) {
    const known = idsOf(policy.conditions);
    const unknown = Object.keys(patch.conditions).filter((k) => !known.includes(k));
    if (unknown.length > 0)
      return refuse('invalid', `「第十条三项条件」中有不存在的条件：${unknown.join('、')}。`);
  }
  if (patch.errorCategory != null && !idsOf(policy.errorCategories).includes(patch.errorCategory))
    return refuse('invalid', '「错误类别」不在可选范围内。');
  if (patch.enforcementArea != null && !idsOf(policy.enforcementAreas).includes(patch.enforcementArea))
    return refuse('invalid', '「执法领域」不在可选范围内。');
  return out;
}

export function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false;
}

function hasArticle10Item(policy: Policy, items: readonly string[]): boolean {
  return items.some((id) => itemArticle(policy, id) === 10);
}

/** Chinese names of the fields still missing before a case can be submitted. */
export function missingFacts(facts: CaseFacts, policy: Policy): string[] {
  const missing: string[] = [];
  if (facts.title.trim() === '') missing.push('事项名称');
  if (facts.occurredOn === null) missing.push('发生日期');
  if (facts.stage === null) missing.push('执法环节');
  if (facts.unitId === null) missing.push('科室');
  if (facts.story.trim() === '') missing.push('事情经过');
  if (facts.lossAndImpact.trim() === '') missing.push('损失和影响');
  if (facts.majorLoss === null) missing.push('是否造成重大损失');
  if (facts.seriousImpact === null) missing.push('是否造成严重不良影响');
  if (facts.remedies.trim() === '') missing.push('补救措施');
  if (facts.items.length === 0) missing.push('适用情形');
  if (hasArticle10Item(policy, facts.items)) {
    const answered = idsOf(policy.conditions).every(
      (id) => typeof facts.conditions[id as keyof CaseFacts['conditions']] === 'boolean',
    );
    if (!answered) missing.push('第十条三项条件');
  }
  return missing;
}
