import { describe, expect, it } from 'vitest';
import {
  assess,
  type CaseFacts,
  type ConditionId,
  defaultPolicy,
  type Recommendation,
} from '../../src/policy';

const ALL_MET = { '10.c1': true, '10.c2': true, '10.c3': true } as const;

// Every item of articles 9–12 with the citation written out by hand, independent of how the policy builds it.
const ITEMS: [id: string, citation: string][] = [
  ['9.1', '第九条第（一）项'],
  ['9.2', '第九条第（二）项'],
  ['9.3', '第九条第（三）项'],
  ['9.4', '第九条第（四）项'],
  ['9.5', '第九条第（五）项'],
  ['9.6', '第九条第（六）项'],
  ['9.7', '第九条第（七）项'],
  ['9.8', '第九条第（八）项'],
  ['9.9', '第九条第（九）项'],
  ['10.1', '第十条第（一）项'],
  ['10.2', '第十条第（二）项'],
  ['10.3', '第十条第（三）项'],
  ['10.4', '第十条第（四）项'],
  ['10.5', '第十条第（五）项'],
  ['10.6', '第十条第（六）项'],
  ['10.7', '第十条第（七）项'],
  ['10.8', '第十条第（八）项'],
  ['11.1', '第十一条第（一）项'],
  ['11.2', '第十一条第（二）项'],
  ['11.3', '第十一条第（三）项'],
  ['12', '第十二条'],
];

function facts(partial: Partial<CaseFacts>): CaseFacts {
  return { items: [], conditions: {}, ...partial };
}

describe('every item of articles 9–12', () => {
  it('the policy has exactly these items, in this order', () => {
    expect(defaultPolicy.items.map((i) => [i.id, i.citation])).toEqual(ITEMS);
  });

  const table = ITEMS.flatMap(([id, citation]) => {
    const article = id.split('.')[0];
    const rows: {
      id: string;
      conditions: CaseFacts['conditions'];
      rec: Recommendation;
      citations: string[];
    }[] = [];
    if (article === '9') rows.push({ id, conditions: {}, rec: 'duty_exempt', citations: [citation] });
    if (article === '10') {
      rows.push({ id, conditions: ALL_MET, rec: 'tolerance_exempt', citations: [citation, '第十条第二款'] });
      rows.push({ id, conditions: {}, rec: 'lighter_or_mitigate', citations: [citation] });
    }
    if (article === '11')
      rows.push({ id, conditions: {}, rec: 'lighter_or_mitigate', citations: [citation] });
    if (article === '12') rows.push({ id, conditions: ALL_MET, rec: 'refuse', citations: ['第十二条'] });
    return rows;
  });

  it.each(table)('$id with $conditions → $rec', ({ id, conditions, rec, citations }) => {
    const a = assess(facts({ items: [id], conditions }), defaultPolicy);
    expect(a.recommendation).toBe(rec);
    expect(a.citations).toEqual(citations);
    expect(a.reasons[0]).toContain(citations[0]);
    expect(a.summary).toContain('仅供党组参考');
  });

  it('labels follow the regulation', () => {
    expect(assess(facts({ items: ['9.2'] }), defaultPolicy).label).toBe('尽职免责');
    expect(assess(facts({ items: ['10.2'], conditions: ALL_MET }), defaultPolicy).label).toBe('容错免责');
    expect(assess(facts({ items: ['11.2'] }), defaultPolicy).label).toBe('从轻或减轻');
    expect(assess(facts({ items: ['12'] }), defaultPolicy).label).toBe('不予容错');
  });

  it('the example sentence of the specification', () => {
    const a = assess(facts({ items: ['10.4'], conditions: ALL_MET }), defaultPolicy);
    expect(a.reasons[0]).toBe('第十条第（四）项，且满足第二款三项条件 → 建议容错免责');
    expect(a.suggestedVotes).toEqual(['exempt']);
  });
});

describe('the three conditions of art. 10 para. 2, every combination including unanswered', () => {
  const values = [true, false, undefined] as const;
  const combos = values.flatMap((c1) => values.flatMap((c2) => values.map((c3) => ({ c1, c2, c3 }))));
  it('covers 27 combinations', () => expect(combos).toHaveLength(27));

  it.each(combos)('10.c1=$c1 10.c2=$c2 10.c3=$c3', ({ c1, c2, c3 }) => {
    const conditions: CaseFacts['conditions'] = {};
    if (c1 !== undefined) conditions['10.c1'] = c1;
    if (c2 !== undefined) conditions['10.c2'] = c2;
    if (c3 !== undefined) conditions['10.c3'] = c3;
    const a = assess(facts({ items: ['10.5'], conditions }), defaultPolicy);
    const byId = { '10.c1': c1, '10.c2': c2, '10.c3': c3 } as const;
    const unmet = (Object.keys(byId) as ConditionId[]).filter((k) => byId[k] !== true);
    const unanswered = (Object.keys(byId) as ConditionId[]).filter((k) => byId[k] === undefined);
    if (unmet.length === 0) {
      expect(a.recommendation).toBe('tolerance_exempt');
      expect(a.citations).toEqual(['第十条第（五）项', '第十条第二款']);
    } else {
      expect(a.recommendation).toBe('lighter_or_mitigate');
      expect(a.citations).toEqual(['第十条第（五）项']);
      expect(a.suggestedVotes).toEqual(['lighter', 'mitigate']);
      // The reason names each unmet condition for the party group to weigh.
      for (const id of unmet) {
        const n = { '10.c1': '一', '10.c2': '二', '10.c3': '三' }[id];
        expect(a.reasons[0]).toContain(`第二款第（${n}）项`);
      }
    }
    expect(a.unmetConditions).toEqual(unmet);
    expect(a.missing).toHaveLength(unanswered.length);
    for (const id of unanswered) {
      const wording = defaultPolicy.conditions.find((c) => c.id === id)!.wording;
      expect(a.missing.some((m) => m.includes(wording) && m.includes('尚未确认'))).toBe(true);
    }
  });

  it.each([
    { majorLoss: true, seriousImpact: undefined },
    { majorLoss: undefined, seriousImpact: true },
    { majorLoss: true, seriousImpact: true },
  ])(
    'a major loss or serious impact defeats 10.c2 even when answered yes ($majorLoss, $seriousImpact)',
    (harm) => {
      const a = assess(facts({ items: ['10.4'], conditions: ALL_MET, ...harm }), defaultPolicy);
      expect(a.recommendation).toBe('lighter_or_mitigate');
      expect(a.unmetConditions).toEqual(['10.c2']);
      expect(a.reasons.join('\n')).toContain('不一致');
    },
  );

  it('no major loss and no serious impact stated → 10.c2 met without a separate answer', () => {
    const a = assess(
      facts({
        items: ['10.4'],
        conditions: { '10.c1': true, '10.c3': true },
        majorLoss: false,
        seriousImpact: false,
      }),
      defaultPolicy,
    );
    expect(a.recommendation).toBe('tolerance_exempt');
    expect(a.missing).toEqual([]);
  });

  it('remedial measures stand in for an unanswered 10.c3, both ways', () => {
    const base = { items: ['10.4'], conditions: { '10.c1': true, '10.c2': true } };
    expect(assess(facts({ ...base, remedied: true }), defaultPolicy).recommendation).toBe('tolerance_exempt');
    const no = assess(facts({ ...base, remedied: false }), defaultPolicy);
    expect(no.recommendation).toBe('lighter_or_mitigate');
    expect(no.unmetConditions).toEqual(['10.c3']);
    expect(no.missing).toEqual([]);
  });

  it('an explicit answer to 10.c3 wins over the remedial-measures statement', () => {
    const a = assess(facts({ items: ['10.4'], conditions: ALL_MET, remedied: false }), defaultPolicy);
    expect(a.recommendation).toBe('tolerance_exempt');
  });
});

describe('precedence between articles', () => {
  it('art. 12 overrides everything, chosen as an item', () => {
    const a = assess(facts({ items: ['9.1', '10.4', '11.1', '12'], conditions: ALL_MET }), defaultPolicy);
    expect(a.recommendation).toBe('refuse');
    expect(a.citations).toEqual(['第十二条']);
    expect(a.reasons.join('\n')).toContain('第十二条优先适用');
    expect(a.suggestedVotes).toEqual(['refuse']);
  });

  it('art. 12 overrides everything, found as a fact', () => {
    const a = assess(
      facts({ items: ['10.4'], conditions: ALL_MET, abuseOrNonPerformance: true }),
      defaultPolicy,
    );
    expect(a.recommendation).toBe('refuse');
    expect(a.citations).toEqual(['第十二条']);
    expect(a.missing).toEqual([]);
  });

  it('abuseOrNonPerformance = false changes nothing', () => {
    const a = assess(facts({ items: ['9.3'], abuseOrNonPerformance: false }), defaultPolicy);
    expect(a.recommendation).toBe('duty_exempt');
  });

  it('any 9.x wins over 10.x and 11.x, and the others are mentioned as a fallback', () => {
    const a = assess(facts({ items: ['11.2', '10.4', '9.4'] }), defaultPolicy);
    expect(a.recommendation).toBe('duty_exempt');
    expect(a.citations).toEqual(['第九条第（四）项']);
    expect(a.reasons.join('\n')).toContain('第十条第（四）项、第十一条第（二）项');
    // The 10.x conditions are still asked for, in case the group does not accept 9.4.
    expect(a.missing).toHaveLength(3);
  });

  it('several 9.x items are all cited in regulation order', () => {
    const a = assess(facts({ items: ['9.8', '9.2'] }), defaultPolicy);
    expect(a.citations).toEqual(['第九条第（二）项', '第九条第（八）项']);
    expect(a.reasons[0]).toBe('第九条第（二）项、第九条第（八）项 → 认定为履职尽责，建议尽职免责');
  });

  it('10.x without all conditions plus 11.x cites both', () => {
    const a = assess(facts({ items: ['11.1', '10.1'], conditions: { '10.c1': false } }), defaultPolicy);
    expect(a.recommendation).toBe('lighter_or_mitigate');
    expect(a.citations).toEqual(['第十条第（一）项', '第十一条第（一）项']);
    expect(a.reasons[0]).toContain('不满足第二款第（一）项（法律没有明令禁止的）');
  });

  it('10.x with all conditions and 11.x stays tolerance_exempt', () => {
    const a = assess(facts({ items: ['10.1', '11.1'], conditions: ALL_MET }), defaultPolicy);
    expect(a.recommendation).toBe('tolerance_exempt');
    expect(a.citations).toEqual(['第十条第（一）项', '第十条第二款']);
  });

  it('catch-all items are flagged for the group to establish from the facts', () => {
    for (const id of ['9.9', '10.8', '11.3']) {
      const a = assess(facts({ items: [id], conditions: ALL_MET }), defaultPolicy);
      expect(a.reasons.some((r) => r.includes('兜底'))).toBe(true);
    }
    expect(assess(facts({ items: ['9.1'] }), defaultPolicy).reasons.some((r) => r.includes('兜底'))).toBe(
      false,
    );
  });
});

describe('nothing applicable', () => {
  it('no items → none, says so, and names the five factors of art. 13', () => {
    const a = assess(facts({}), defaultPolicy);
    expect(a.recommendation).toBe('none');
    expect(a.citations).toEqual(['第十三条']);
    const text = a.reasons.join('\n');
    for (const f of ['主观、客观条件', '程序方法', '性质程度', '后果影响', '挽回损失'])
      expect(text).toContain(f);
    expect(a.missing).toEqual(['尚未选择适用情形（第九条至第十二条）']);
    expect(a.suggestedVotes).toEqual([]);
    expect(a.summary).toContain('由党组');
  });

  it('unknown ids are ignored and reported, duplicates count once', () => {
    const a = assess(facts({ items: ['13.1', 'x'] }), defaultPolicy);
    expect(a.recommendation).toBe('none');
    expect(a.reasons.filter((r) => r.includes('未识别'))).toHaveLength(2);
    const b = assess(facts({ items: ['9.1', '9.1'] }), defaultPolicy);
    expect(b.citations).toEqual(['第九条第（一）项']);
  });

  it('conditions alone, without a 10.x item, lead nowhere', () => {
    const a = assess(facts({ conditions: ALL_MET }), defaultPolicy);
    expect(a.recommendation).toBe('none');
    expect(a.unmetConditions).toEqual([]);
  });
});
