// The assessment engine: facts in, a recommendation with citations out. It recommends; the party group decides.

import type {
  ConditionId,
  ItemId,
  Policy,
  PolicyCondition,
  PolicyItem,
  Recommendation,
  VoteOption,
} from './types';

export interface CaseFacts {
  items: ItemId[];
  conditions: Partial<Record<ConditionId, boolean>>;
  majorLoss?: boolean;
  seriousImpact?: boolean;
  remedied?: boolean;
  /** Art. 12: abuse of power or failure to perform, harming lawful rights with adverse consequences. */
  abuseOrNonPerformance?: boolean;
}

export interface Assessment {
  recommendation: Recommendation;
  /** The recommendation's Chinese label, e.g. 容错免责. */
  label: string;
  citations: string[];
  /** Chinese sentences, e.g. '第十条第（四）项，且满足第二款三项条件 → 建议容错免责'. */
  reasons: string[];
  unmetConditions: ConditionId[];
  /** Chinese: what the facts still lack. */
  missing: string[];
  summary: string;
  /** The vote options that match the recommendation, for highlighting on the ballot. */
  suggestedVotes: VoteOption[];
}

/** The three conditions of art. 10 para. 2, in the article's order. */
export const CONDITION_IDS: readonly ConditionId[] = ['10.c1', '10.c2', '10.c3'];
const ART13 = '第十三条';

const SUGGESTED_VOTES: Record<Recommendation, VoteOption[]> = {
  duty_exempt: ['exempt'],
  tolerance_exempt: ['exempt'],
  lighter_or_mitigate: ['lighter', 'mitigate'],
  refuse: ['refuse'],
  none: [],
};

export function suggestedVoteOptions(recommendation: Recommendation): VoteOption[] {
  return [...SUGGESTED_VOTES[recommendation]];
}

export function recommendationLabel(policy: Policy, recommendation: Recommendation): string {
  return policy.recommendations.find((r) => r.id === recommendation)?.label ?? recommendation;
}

type Tri = boolean | undefined;

interface ConditionFinding {
  condition: PolicyCondition;
  value: Tri;
  note?: string;
}

function evaluateConditions(facts: CaseFacts, policy: Policy): ConditionFinding[] {
  return CONDITION_IDS.map((id) => {
    const condition = policy.conditions.find((c) => c.id === id)!;
    const answered = facts.conditions[id];
    if (id === '10.c2') {
      const harms = [facts.majorLoss ? '重大损失' : '', facts.seriousImpact ? '严重不良影响' : ''].filter(
        Boolean,
      );
      if (harms.length > 0) {
        const note =
          answered === true
            ? `事实记载已造成${harms.join('和')}，与“${condition.wording}”的回答不一致，按不满足处理`
            : `事实记载已造成${harms.join('和')}`;
        return { condition, value: false, note };
      }
      if (answered === undefined && facts.majorLoss === false && facts.seriousImpact === false) {
        return { condition, value: true, note: '据“未造成重大损失、未造成严重不良影响”的陈述视为满足' };
      }
    }
    if (id === '10.c3' && answered === undefined && facts.remedied !== undefined) {
      return {
        condition,
        value: facts.remedied,
        note: facts.remedied ? '据“已采取补救措施”的陈述视为满足' : '据“未采取补救措施”的陈述视为不满足',
      };
    }
    return { condition, value: answered };
  });
}

function cites(items: readonly PolicyItem[]): string {
  return items.map((i) => i.citation).join('、');
}

/** Short form of a condition's citation inside art. 10, e.g. 第二款第（二）项. */
export function shortCondition(c: PolicyCondition): string {
  return c.citation.replace(/^第十条/, '');
}

export function assess(facts: CaseFacts, policy: Policy): Assessment {
  const reasons: string[] = [];
  const missing: string[] = [];
  const wanted = new Set(facts.items);
  const chosen = policy.items.filter((i) => wanted.has(i.id));
  for (const id of wanted) {
    if (!policy.items.some((i) => i.id === id)) reasons.push(`未识别的情形编号“${id}”，已忽略`);
  }
  const byArticle = (a: PolicyItem['article']) => chosen.filter((i) => i.article === a);
  const a9 = byArticle(9);
  const a10 = byArticle(10);
  const a11 = byArticle(11);
  const a12 = byArticle(12);
  const art12Citation = policy.articles.find((a) => a.article === 12)?.citation ?? '第十二条';

  const finish = (
    recommendation: Recommendation,
    citations: string[],
    unmetConditions: ConditionId[] = [],
  ): Assessment => {
    const label = recommendationLabel(policy, recommendation);
    const head =
      recommendation === 'none'
        ? '暂无适用的第九条至第十二条情形，由党组综合研判。'
        : `建议${label}（依据${citations.join('、')}）。`;
    const tail = missing.length > 0 ? `尚有 ${missing.length} 项待补充。` : '';
    return {
      recommendation,
      label,
      citations,
      reasons,
      unmetConditions,
      missing,
      summary: `${head}${tail}本评估仅供党组参考，认定结论由党组作出。`,
      suggestedVotes: suggestedVoteOptions(recommendation),
    };
  };

  // Art. 12 excludes tolerance whatever else applies.
  if (a12.length > 0 || facts.abuseOrNonPerformance === true) {
    const others = chosen.filter((i) => i.article !== 12);
    reasons.unshift(
      `${art12Citation}：滥用法定职权、不履行法定职责，致使合法权益受到损害、造成不良后果的，不予容错 → 建议不予容错`,
    );
    if (others.length > 0) reasons.push(`${art12Citation}优先适用，所涉${cites(others)}不改变本建议`);
    return finish('refuse', [art12Citation]);
  }

  if (wanted.size === 0 || chosen.length === 0) missing.push('尚未选择适用情形（第九条至第十二条）');

  // Catch-all items carry no facts of their own, so the group must weigh the narrative.
  for (const item of chosen) {
    if (item.article !== 12 && /^其他/.test(item.wording)) {
      reasons.push(`${item.citation}为兜底情形，需由党组结合具体事实认定`);
    }
  }

  const conditionFindings = a10.length > 0 ? evaluateConditions(facts, policy) : [];
  for (const f of conditionFindings) {
    if (f.value === undefined) {
      missing.push(`${f.condition.citation}“${f.condition.wording}”尚未确认`);
    }
  }

  if (a9.length > 0) {
    reasons.unshift(`${cites(a9)} → 认定为履职尽责，建议尽职免责`);
    const rest = [...a10, ...a11];
    if (rest.length > 0) reasons.push(`另涉及${cites(rest)}；如党组不认定履职尽责，再按上述条款研判`);
    return finish(
      'duty_exempt',
      a9.map((i) => i.citation),
    );
  }

  if (a10.length > 0) {
    for (const f of conditionFindings) if (f.note) reasons.push(`${shortCondition(f.condition)}：${f.note}`);
    const unmet = conditionFindings.filter((f) => f.value !== true);
    if (unmet.length === 0) {
      reasons.unshift(`${cites(a10)}，且满足第二款三项条件 → 建议容错免责`);
      if (a11.length > 0) reasons.push(`另涉及${cites(a11)}，不改变本建议`);
      return finish('tolerance_exempt', [...a10.map((i) => i.citation), policy.conditionsLead.citation]);
    }
    const failed = unmet.filter((f) => f.value === false);
    const open = unmet.filter((f) => f.value === undefined);
    const parts: string[] = [];
    if (failed.length > 0) {
      parts.push(
        `不满足${failed.map((f) => `${shortCondition(f.condition)}（${f.condition.wording}）`).join('、')}`,
      );
    }
    if (open.length > 0) parts.push(`${open.map((f) => shortCondition(f.condition)).join('、')}尚未确认`);
    const verdict =
      failed.length > 0
        ? '不能免除责任，建议从轻或减轻，由党组研判'
        : '暂按从轻或减轻评估；三项条件均确认满足后可建议容错免责';
    reasons.unshift(`${cites(a10)}，但${parts.join('，')} → ${verdict}`);
    if (a11.length > 0) reasons.push(`${cites(a11)} → 可以从轻或者减轻责任`);
    return finish(
      'lighter_or_mitigate',
      [...a10, ...a11].map((i) => i.citation),
      unmet.map((f) => f.condition.id),
    );
  }

  if (a11.length > 0) {
    reasons.unshift(`${cites(a11)} → 可以从轻或者减轻责任，建议从轻或减轻`);
    return finish(
      'lighter_or_mitigate',
      a11.map((i) => i.citation),
    );
  }

  const factorNames = policy.factors.map((f) => f.name).join('、');
  reasons.push(
    `未发现第九条至第十二条规定的适用情形，系统不作建议；党组将结合${factorNames}等情况进行综合分析研判（${ART13}）`,
  );
  return finish('none', [ART13]);
}
