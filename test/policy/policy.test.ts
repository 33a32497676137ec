import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  defaultPolicy,
  formatCaseNumber,
  formatReportNumber,
  itemById,
  meetsRatio,
  mergePolicy,
  type Policy,
  parseCaseNumber,
  parsePolicy,
  parseReportNumber,
} from '../../src/policy';

const REGULATION =
  process.env.REGULATION_PATH ?? fileURLToPath(new URL('../fixtures/regulation.zh.md', import.meta.url));

function clone(): any {
  return structuredClone(defaultPolicy);
}

function errorsOf(input: unknown): string[] {
  const r = parsePolicy(input);
  if (r.ok) throw new Error('expected the policy to be rejected');
  return r.errors;
}

describe('the wording is the regulation’s own', () => {
  // Line breaks and list bullets are not part of the wording.
  const text = existsSync(REGULATION) ? readFileSync(REGULATION, 'utf8').replace(/\s+/g, '') : '';

  it.each(defaultPolicy.items)('$id appears verbatim under its ordinal', (item) => {
    const ordinal = item.citation.match(/（.）/)?.[0] ?? '';
    expect(text).toContain(ordinal + item.wording);
  });
  it.each(defaultPolicy.conditions)('$id appears verbatim', (c) => {
    expect(text).toContain(c.citation.match(/（.）/)![0] + c.wording);
  });
  it('article leads and statements are quoted verbatim', () => {
    for (const a of defaultPolicy.articles) expect(text).toContain(a.lead);
    expect(text).toContain(defaultPolicy.conditionsLead.text);
    expect(text).toContain(defaultPolicy.statements.notAnError.text);
    expect(text).toContain(defaultPolicy.statements.correctionDuty.text);
    expect(text).toContain(defaultPolicy.orgName);
  });
});

describe('defaultPolicy', () => {
  it('passes its own validation', () => {
    const r = parsePolicy(defaultPolicy);
    expect(r).toEqual({ ok: true, policy: defaultPolicy });
  });

  it('carries the rules of the regulation and the documented defaults', () => {
    expect(defaultPolicy.items.filter((i) => i.article === 9)).toHaveLength(9);
    expect(defaultPolicy.items.filter((i) => i.article === 10)).toHaveLength(8);
    expect(defaultPolicy.items.filter((i) => i.article === 11)).toHaveLength(3);
    expect(itemById(defaultPolicy, '12')).toMatchObject({ article: 12, index: 0, citation: '第十二条' });
    expect(itemById(defaultPolicy, '10.4')?.citation).toBe('第十条第（四）项');
    expect(itemById(defaultPolicy, '13.1')).toBeUndefined();
    expect(defaultPolicy.conditions.map((c) => c.citation)).toEqual([
      '第十条第二款第（一）项',
      '第十条第二款第（二）项',
      '第十条第二款第（三）项',
    ]);
    expect(defaultPolicy.notice).toMatchObject({ days: 7, kind: 'calendar' });
    expect(defaultPolicy.decision).toEqual({ days: 15, kind: 'working' });
    expect(defaultPolicy.correction.reminderOffsetsDays).toEqual([3, 1, 0]);
    expect(defaultPolicy.correction.reminderHour).toBe(9);
    expect(defaultPolicy.risk).toEqual({ threshold: 3, windowDays: 180 });
    expect(defaultPolicy.digest).toEqual({ weekday: 1, hour: 9 });
    expect(defaultPolicy.calendar.warnDaysBeforeDataEnds).toBe(60);
    expect(defaultPolicy.voteOptions.map((v) => v.label)).toEqual(['免责', '从轻', '减轻', '不予容错']);
    expect(defaultPolicy.factors.map((f) => f.id)).toEqual([
      'subjective_objective',
      'procedure',
      'nature',
      'consequence',
      'recovery',
    ]);
    expect(defaultPolicy.reportOutcomes.map((o) => o.label)).toEqual([
      '属实',
      '部分属实',
      '不属实',
      '查无实据',
      '属于容错免责情形',
    ]);
    expect(defaultPolicy.publicationScopes.map((o) => o.label)).toEqual(['不公开', '党组内', '指定群']);
  });

  it('every item has a one-line plain-language hint', () => {
    for (const i of [...defaultPolicy.items, ...defaultPolicy.conditions]) {
      expect(i.hint.length).toBeGreaterThan(5);
      expect(i.hint).not.toContain('\n');
    }
  });
});

describe('parsePolicy rejects malformed policies and names the field', () => {
  const cases: [string, (p: any) => unknown, string][] = [
    ['not an object', () => null, 'policy'],
    ['missing organisation name', (p) => delete p.orgName, 'policy.orgName'],
    ['blank regulation title', (p) => (p.regulationTitle = '  '), 'policy.regulationTitle'],
    [
      'case number without {seq}',
      (p) => (p.caseNumberFormat = '容错〔{year}〕号'),
      'policy.caseNumberFormat',
    ],
    [
      'report number with {year} twice',
      (p) => (p.reportNumberFormat = '{year}{year}{seq}'),
      'policy.reportNumberFormat',
    ],
    ['item id out of step with article/index', (p) => (p.items[2].id = '9.9'), 'policy.items[2].id'],
    ['duplicate item', (p) => p.items.push({ ...p.items[0] }), 'policy.items[21].id'],
    ['article 13 item', (p) => (p.items[0].article = 13), 'policy.items[0].article'],
    ['item without wording', (p) => delete p.items[5].wording, 'policy.items[5].wording'],
    ['art. 12 with an index', (p) => (p.items[20].index = 1), 'policy.items[20].index'],
    ['a condition missing', (p) => p.conditions.pop(), 'policy.conditions'],
    ['unknown condition id', (p) => (p.conditions[0].id = '10.c4'), 'policy.conditions[0].id'],
    ['vote option missing', (p) => p.voteOptions.pop(), 'policy.voteOptions'],
    ['vote option unknown', (p) => (p.voteOptions[0].id = 'pardon'), 'policy.voteOptions[0].id'],
    ['duplicate unit', (p) => p.units.push({ id: 'general', name: '又一个综合科' }), 'policy.units[4].id'],
    ['no units', (p) => (p.units = []), 'policy.units'],
    ['notice days zero', (p) => (p.notice.days = 0), 'policy.notice.days'],
    ['decision kind unknown', (p) => (p.decision.kind = 'weekly'), 'policy.decision.kind'],
    [
      'fractional period',
      (p) => (p.correction.defaultPeriod.days = 2.5),
      'policy.correction.defaultPeriod.days',
    ],
    [
      'negative reminder offset',
      (p) => (p.correction.reminderOffsetsDays = [3, -1]),
      'policy.correction.reminderOffsetsDays[1]',
    ],
    [
      'duplicate reminder offset',
      (p) => (p.correction.reminderOffsetsDays = [1, 1]),
      'policy.correction.reminderOffsetsDays[1]',
    ],
    ['reminder hour 24', (p) => (p.correction.reminderHour = 24), 'policy.correction.reminderHour'],
    [
      'majority above one',
      (p) => (p.deliberation.majority = { numerator: 3, denominator: 2, strict: true }),
      'policy.deliberation.majority',
    ],
    [
      'quorum strict missing',
      (p) => delete p.deliberation.quorum.strict,
      'policy.deliberation.quorum.strict',
    ],
    ['digest weekday 8', (p) => (p.digest.weekday = 8), 'policy.digest.weekday'],
    ['risk threshold as text', (p) => (p.risk.threshold = '3'), 'policy.risk.threshold'],
    [
      'impossible extra day',
      (p) => (p.calendar.extraDays = [{ date: '2027-02-30', kind: 'holiday' }]),
      'policy.calendar.extraDays[0].date',
    ],
    [
      'extra day in another format',
      (p) => (p.calendar.extraDays = [{ date: '2027/1/1', kind: 'holiday' }]),
      'policy.calendar.extraDays[0].date',
    ],
    [
      'extra day of unknown kind',
      (p) => (p.calendar.extraDays = [{ date: '2027-01-01', kind: 'rest' }]),
      'policy.calendar.extraDays[0].kind',
    ],
    [
      'duplicate extra day',
      (p) =>
        (p.calendar.extraDays = [
          { date: '2027-01-01', kind: 'holiday' },
          { date: '2027-01-01', kind: 'workday' },
        ]),
      'policy.calendar.extraDays[1].date',
    ],
    ['report outcome missing', (p) => p.reportOutcomes.splice(1, 1), 'policy.reportOutcomes'],
    ['title limit zero', (p) => (p.limits.titleMaxLength = 0), 'policy.limits.titleMaxLength'],
  ];

  it.each(cases)('%s', (_name, mutate, path) => {
    const p = clone();
    const replaced = mutate(p);
    const errors = errorsOf(path === 'policy' ? replaced : p);
    expect(errors.length).toBeGreaterThan(0);
    // The message starts with the path and goes on in Chinese.
    expect(errors.some((e) => e.startsWith(`${path}：`) && /[\u4e00-\u9fff]/.test(e))).toBe(true);
  });

  it('reports every problem at once', () => {
    const p = clone();
    p.orgName = '';
    p.notice.days = -1;
    const errors = errorsOf(p);
    expect(errors.some((e) => e.startsWith('policy.orgName'))).toBe(true);
    expect(errors.some((e) => e.startsWith('policy.notice.days'))).toBe(true);
  });

  it('accepts another office’s own data', () => {
    const p: Policy = clone();
    p.orgName = '某市国防动员办公室';
    p.caseNumberFormat = '某动容〔{year}〕第{seq}号';
    p.units = [{ id: 'a', name: '执法大队' }];
    p.correction.defaultPeriod = { days: 10, kind: 'working' };
    p.calendar.extraDays = [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }];
    const r = parsePolicy(p);
    expect(r.ok).toBe(true);
    if (r.ok) expect(formatCaseNumber(r.policy, 2027, 3)).toBe('某动容〔2027〕第3号');
  });
});

describe('mergePolicy', () => {
  it('adds a year of holidays without restating the rest', () => {
    const r = mergePolicy(defaultPolicy, {
      calendar: { extraDays: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }] },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.calendar.extraDays).toHaveLength(1);
    expect(r.policy.calendar.warnDaysBeforeDataEnds).toBe(60);
    expect(r.policy.items).toEqual(defaultPolicy.items);
    expect(defaultPolicy.calendar.extraDays).toEqual([]);
  });

  it('validates the merged result and rejects non-objects', () => {
    const bad = mergePolicy(defaultPolicy, { decision: { days: 0 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/^policy\.decision\.days：/);
    expect(mergePolicy(defaultPolicy, [1, 2])).toEqual({ ok: false, errors: ['policy：覆盖配置必须是对象'] });
  });
});

describe('case and report numbers', () => {
  it('format from the policy', () => {
    expect(formatCaseNumber(defaultPolicy, 2026, 7)).toBe('容错〔2026〕7号');
    expect(formatReportNumber(defaultPolicy, 2026, 12)).toBe('举报〔2026〕12号');
  });

  it.each([
    ['容错〔2026〕7号', { year: 2026, seq: 7 }],
    ['容错[2026]7号', { year: 2026, seq: 7 }],
    ['容错【2026】07号', { year: 2026, seq: 7 }],
    ['容错（２０２６）１２号', { year: 2026, seq: 12 }],
    [' 容错 〔2026〕 7 号 ', { year: 2026, seq: 7 }],
    ['举报〔2026〕7号', undefined],
    ['容错〔26〕7号', undefined],
    ['容错〔2026〕号', undefined],
  ])('parseCaseNumber(%j)', (text, expected) => {
    expect(parseCaseNumber(defaultPolicy, text)).toEqual(expected);
  });

  it('parseReportNumber round-trips formatReportNumber', () => {
    expect(parseReportNumber(defaultPolicy, formatReportNumber(defaultPolicy, 2031, 456))).toEqual({
      year: 2031,
      seq: 456,
    });
    expect(parseReportNumber(defaultPolicy, '容错〔2026〕7号')).toBeUndefined();
  });
});

describe('meetsRatio (quorum and majority)', () => {
  const half = { numerator: 1, denominator: 2, strict: true };
  it.each([
    [3, 5, true],
    [2, 4, false],
    [3, 4, true],
    [1, 1, true],
    [0, 0, false],
    [0, 3, false],
  ])('%i of %i is more than half: %s', (part, whole, expected) => {
    expect(meetsRatio(part, whole, half)).toBe(expected);
  });
  it('non-strict means at least', () => {
    expect(meetsRatio(2, 4, { ...half, strict: false })).toBe(true);
    expect(meetsRatio(2, 3, { numerator: 2, denominator: 3, strict: false })).toBe(true);
    expect(meetsRatio(2, 3, { numerator: 2, denominator: 3, strict: true })).toBe(false);
  });
});
