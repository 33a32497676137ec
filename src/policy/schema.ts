// Validation of a policy coming from outside (stored settings, an office's own data). Messages are for admins.

import { z } from 'zod';
import { isIsoDate } from '../calendar/dates';
import type { Policy } from './types';

const text = z.string().trim().min(1, '不能为空');
const positiveInt = z.number().int('必须是整数').positive('必须大于 0');
const nonNegativeInt = z.number().int('必须是整数').min(0, '不能小于 0');
const hour = z.number().int('必须是整数').min(0, '必须在 0–23 之间').max(23, '必须在 0–23 之间');
const dayKind = z.enum(['calendar', 'working'], '必须是 calendar（自然日）或 working（工作日）');
const period = z.object({ days: positiveInt, kind: dayKind });
const article = z.union(
  [z.literal(9), z.literal(10), z.literal(11), z.literal(12)],
  '必须是 9、10、11 或 12',
);
const quote = z.object({ text, citation: text });
const named = z.object({ id: text, name: text });
const ratio = z
  .object({ numerator: positiveInt, denominator: positiveInt, strict: z.boolean() })
  .refine((r) => r.numerator <= r.denominator, '比例不能大于 1（numerator 不能大于 denominator）');

function labelled<const T extends readonly [string, ...string[]]>(ids: T) {
  return z.array(z.object({ id: z.enum(ids), label: text }));
}

const numberFormat = text.refine(
  (f) => f.split('{year}').length === 2 && f.split('{seq}').length === 2,
  '必须恰好包含一次 {year} 和一次 {seq}',
);

const policySchema = z.object({
  orgName: text,
  regulationTitle: text,
  caseNumberFormat: numberFormat,
  reportNumberFormat: numberFormat,
  documents: z.object({ issuer: text, numberFormat }),
  articles: z.array(z.object({ article, citation: text, lead: text, outcomeLabel: text })),
  items: z
    .array(
      z.object({
        id: text,
        article,
        index: nonNegativeInt,
        wording: text,
        hint: text,
        citation: text,
      }),
    )
    .min(1, '至少需要一项情形'),
  conditions: z.array(
    z.object({
      id: z.enum(['10.c1', '10.c2', '10.c3']),
      wording: text,
      hint: text,
      citation: text,
    }),
  ),
  conditionsLead: quote,
  notAnErrorOutcomes: z.array(z.enum(['exempt', 'lighter', 'mitigate', 'refuse'])),
  statements: z.object({ notAnError: quote, correctionDuty: quote }),
  recommendations: labelled(['duty_exempt', 'tolerance_exempt', 'lighter_or_mitigate', 'refuse', 'none']),
  voteOptions: labelled(['exempt', 'lighter', 'mitigate', 'refuse']),
  factors: z.array(named).min(1, '至少需要一项'),
  units: z.array(named).min(1, '至少需要一个科室'),
  enforcementStages: z.array(named).min(1, '至少需要一项'),
  errorCategories: z.array(named).min(1, '至少需要一项'),
  enforcementAreas: z.array(named).min(1, '至少需要一项'),
  publicationScopes: labelled(['none', 'party', 'chat']),
  reportOutcomes: labelled(['true', 'partly_true', 'false', 'unfounded', 'tolerated']),
  notice: z.object({
    days: positiveInt,
    kind: dayKind,
    retryAfterDays: positiveInt,
    escalateOnLastDay: z.boolean(),
  }),
  decision: period,
  correction: z.object({
    defaultPeriod: period,
    reminderOffsetsDays: z.array(nonNegativeInt),
    reminderHour: hour,
    overdueDaily: z.boolean(),
    requiredAfter: z.array(z.enum(['duty', 'tolerance'], '必须是 duty（尽职免责）或 tolerance（容错免责）')),
    waiver: z.enum(['reasoned', 'never'], '必须是 reasoned（说明理由后可不纠错）或 never（必须纠错）'),
  }),
  deliberation: z.object({ quorum: ratio, majority: ratio }),
  risk: z.object({ threshold: positiveInt, windowDays: positiveInt }),
  digest: z.object({
    weekday: z
      .number()
      .int('必须是整数')
      .min(0, '必须在 0–7 之间（1 为周一，0 或 7 为周日）')
      .max(7, '必须在 0–7 之间'),
    hour,
  }),
  calendar: z.object({
    extraDays: z.array(
      z.object({
        date: z.string().refine(isIsoDate, '必须是有效日期，格式 YYYY-MM-DD'),
        kind: z.enum(['holiday', 'workday'], '必须是 holiday（放假）或 workday（上班）'),
        name: z.string().optional(),
      }),
    ),
    warnDaysBeforeDataEnds: nonNegativeInt,
  }),
  // Both limits are card input max_length values, which Feishu accepts only in 1–1000.
  limits: z.object({
    titleMaxLength: positiveInt.max(1000, '不能超过 1000（飞书卡片输入框最多 1000 字）'),
    textMaxLength: positiveInt.max(1000, '不能超过 1000（飞书卡片输入框最多 1000 字）'),
  }),
});

// Compile-time proof that the schema's output is exactly the Policy interface.
type SchemaOutput = z.infer<typeof policySchema>;
const _sameShape: [SchemaOutput, Policy] extends [Policy, SchemaOutput] ? true : never = true;
void _sameShape;

type Path = readonly PropertyKey[];

function pathText(path: Path): string {
  let out = 'policy';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

/** Rules that span fields: unique ids, complete option sets, item ids that match their article and index. */
function crossFieldErrors(p: Policy): string[] {
  const errors: string[] = [];
  const err = (path: Path, message: string) => errors.push(`${pathText(path)}：${message}`);

  function uniqueIds(list: readonly { id: string }[], field: string, required?: readonly string[]) {
    const seen = new Set<string>();
    list.forEach((entry, i) => {
      if (seen.has(entry.id)) err([field, i, 'id'], `编号“${entry.id}”重复`);
      seen.add(entry.id);
    });
    for (const id of required ?? []) if (!seen.has(id)) err([field], `缺少“${id}”`);
  }

  uniqueIds(p.items, 'items');
  p.items.forEach((item, i) => {
    const expected = item.article === 12 ? '12' : `${item.article}.${item.index}`;
    if (item.article === 12 && item.index !== 0)
      err(['items', i, 'index'], '第十二条没有分项，index 必须为 0');
    if (item.article !== 12 && item.index < 1) err(['items', i, 'index'], '分项序号必须从 1 开始');
    if (item.id !== expected)
      err(['items', i, 'id'], `编号应为“${expected}”（与 article、index 一致），实际为“${item.id}”`);
  });
  const articleIds = p.articles.map((a) => ({ id: String(a.article) }));
  uniqueIds(articleIds, 'articles');
  for (const a of new Set(p.items.map((i) => i.article))) {
    if (!p.articles.some((x) => x.article === a))
      err(['articles'], `缺少第 ${a} 条的说明（items 中使用了该条）`);
  }
  uniqueIds(p.conditions, 'conditions', ['10.c1', '10.c2', '10.c3']);
  uniqueIds(p.recommendations, 'recommendations', [
    'duty_exempt',
    'tolerance_exempt',
    'lighter_or_mitigate',
    'refuse',
    'none',
  ]);
  uniqueIds(p.voteOptions, 'voteOptions', ['exempt', 'lighter', 'mitigate', 'refuse']);
  uniqueIds(p.factors, 'factors');
  uniqueIds(p.units, 'units');
  uniqueIds(p.enforcementStages, 'enforcementStages');
  uniqueIds(p.errorCategories, 'errorCategories');
  uniqueIds(p.enforcementAreas, 'enforcementAreas');
  uniqueIds(p.publicationScopes, 'publicationScopes', ['none', 'party', 'chat']);
  uniqueIds(p.reportOutcomes, 'reportOutcomes', ['true', 'partly_true', 'false', 'unfounded', 'tolerated']);

  // Art. 14 speaks of 予以容错: 不予容错 can never be outside the enforcement-error record.
  if (p.notAnErrorOutcomes.includes('refuse'))
    err(['notAnErrorOutcomes'], '「不予容错」不能列为不作为执法错误认定（第十四条）');
  const offsets = new Set<number>();
  p.correction.reminderOffsetsDays.forEach((o, i) => {
    if (offsets.has(o)) err(['correction', 'reminderOffsetsDays', i], `提醒天数 ${o} 重复`);
    offsets.add(o);
  });
  const dates = new Set<string>();
  p.calendar.extraDays.forEach((d, i) => {
    if (dates.has(d.date)) err(['calendar', 'extraDays', i, 'date'], `日期 ${d.date} 重复`);
    dates.add(d.date);
  });
  return errors;
}

/** Validates a complete policy; every error names the path of the field it is about. */
export function parsePolicy(input: unknown): { ok: true; policy: Policy } | { ok: false; errors: string[] } {
  const parsed = policySchema.safeParse(input, { error: z.locales.zhCN().localeError });
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => `${pathText(i.path)}：${i.message}`) };
  }
  const policy: Policy = parsed.data;
  const errors = crossFieldErrors(policy);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, policy };
}

/** Applies a partial override (objects merge, arrays replace) to a base policy, then validates the result. */
export function mergePolicy(
  base: Policy,
  patch: unknown,
): { ok: true; policy: Policy } | { ok: false; errors: string[] } {
  if (!isPlainObject(patch)) return { ok: false, errors: ['policy：覆盖配置必须是对象'] };
  return parsePolicy(deepMerge(base, patch));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(base[k], v);
  return out;
}
