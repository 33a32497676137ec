import { describe, expect, it } from 'vitest';
import {
  firstIncompleteStep,
  parsePickedDate,
  readStep,
  stepAfter,
  stepBefore,
} from '../../src/bot/handlers/intake-flow';
import { emptyFacts } from '../../src/cases';
import type { CaseFacts } from '../../src/cases/types';
import { completeFacts, env } from '../cases/fixtures';

// env.now is 2026-03-02 in Shanghai.
const full = { ...emptyFacts(), ...completeFacts } as CaseFacts;

describe('reading the date picker', () => {
  it.each([
    ['2026-11-20 +0800', '2026-11-20'],
    ['2026-11-20', '2026-11-20'],
    ['2026-3-1', '2026-03-01'],
    ['  2026-03-01 -0500 ', '2026-03-01'],
  ])('%s → %s', (raw, date) => expect(parsePickedDate(raw)).toBe(date));
  it.each(['', '20261120', '2026/11/20', 'tomorrow', '2026-11-20T00:00'])('%s is not a date', (raw) =>
    expect(parsePickedDate(raw)).toBeNull(),
  );
});

describe('readStep', () => {
  it('basics: valid fields go into the patch, refused ones are kept as typed with a message naming the field', () => {
    const r = readStep(
      'basics',
      { title: '长'.repeat(61), occurredOn: '2026-03-03 +0800', stage: 'inspection', unitId: 'nowhere' },
      env,
      true,
    );
    expect(r.patch).toEqual({ stage: 'inspection' });
    expect(r.typed).toEqual({ title: '长'.repeat(61), occurredOn: '2026-03-03 +0800', unitId: 'nowhere' });
    expect(r.errors).toEqual([
      '「事项名称」不能超过 60 个字。',
      '「发生日期」不能晚于今天。',
      '「科室」不在可选范围内。',
    ]);
  });

  it('today is allowed; a bare date works; missing fields are named only when moving on', () => {
    const r = readStep('basics', { title: ' 标题 ', occurredOn: '2026-03-02' }, env, true);
    expect(r.patch).toEqual({ title: '标题', occurredOn: '2026-03-02' });
    expect(r.errors).toEqual(['请选择「执法环节」。', '请选择「科室」。']);
    expect(readStep('basics', { title: '标题' }, env, false).errors).toEqual([]);
  });

  it('loss: yes/no choices become booleans; anything else is not accepted', () => {
    const r = readStep('loss', { lossAndImpact: '无', majorLoss: 'no', seriousImpact: 'maybe' }, env, true);
    expect(r.patch).toEqual({ lossAndImpact: '无', majorLoss: false });
    expect(r.errors).toEqual(['请选择「是否造成严重不良影响」。']);
  });

  it('story: too long is refused with the policy limit and kept', () => {
    const text = '事'.repeat(env.policy.limits.textMaxLength + 1);
    const r = readStep('story', { story: text }, env, true);
    expect(r.patch).toEqual({});
    expect(r.typed.story).toBe(text);
    expect(r.errors[0]).toContain('「事情经过」不能超过');
  });

  it('items: the per-article selects are merged; none chosen is refused when moving on', () => {
    const r = readStep('items', { items9: [], items10: ['10.4'], items11: '11.1' }, env, true);
    expect(r.patch).toEqual({ items: ['10.4', '11.1'] });
    expect(readStep('items', {}, env, true).errors[0]).toContain('请至少选择一项「适用情形」');
    expect(readStep('items', { items9: ['9.99'] }, env, true).errors[0]).toContain('不存在的条目：9.99');
  });

  it('conditions: each of the three must be answered', () => {
    const r = readStep('conditions', { c1: 'yes', c3: 'no' }, env, true);
    expect(r.patch).toEqual({ conditions: { '10.c1': true, '10.c3': false } });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain('第十条第二款第（二）项');
  });
});

describe('step order', () => {
  it('the conditions step appears only with an art. 10 item', () => {
    const a10 = { ...full, items: ['10.4'] };
    const a9 = { ...full, items: ['9.1'] };
    expect(stepAfter('items', a10, env)).toBe('conditions');
    expect(stepAfter('items', a9, env)).toBe('evidence');
    expect(stepBefore('evidence', a9, env)).toBe('items');
    expect(stepBefore('evidence', a10, env)).toBe('conditions');
    expect(stepBefore('basics', a10, env)).toBe('basics');
    expect(stepAfter('summary', a10, env)).toBe('summary');
  });

  it('a returning user lands on the first step with something missing', () => {
    expect(firstIncompleteStep(emptyFacts(), env)).toBe('basics');
    expect(firstIncompleteStep({ ...full, remedies: '' }, env)).toBe('remedies');
    expect(firstIncompleteStep({ ...full, seriousImpact: null }, env)).toBe('loss');
    expect(firstIncompleteStep({ ...full, conditions: {} }, env)).toBe('conditions');
    expect(firstIncompleteStep(full, env)).toBe('summary');
  });
});
