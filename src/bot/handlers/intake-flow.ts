// Reading one intake step: form values in (validated with zod, then by the core's rules), a facts patch out,
// plus what was typed but refused and a Chinese message per refused or missing field. Pure.
import { z } from 'zod';
import {
  ALL_STEPS,
  FIELD_LABEL,
  type FormStep,
  type IntakeStep,
  STEP_FIELDS,
  stepsFor,
} from '../../../cards/intake/model';
import { businessDate } from '../../calendar';
import { isRefusal, missingFacts, validateFactsPatch } from '../../cases/facts';
import type { CaseFacts, ConditionId, Env, FactsPatch } from '../../cases/types';

export interface StepInput {
  patch: FactsPatch;
  /** Raw values that were not accepted, by form field name, to show again. */
  typed: Record<string, unknown>;
  errors: string[];
}

const text = z.string();
const choice = z.enum(['yes', 'no']);
const many = z.union([z.array(z.string()), z.string().transform((s) => (s === '' ? [] : [s]))]);

/** Date picker values look like `2026-11-20 +0800`; a bare date is accepted too. */
export function parsePickedDate(raw: string): string | null {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+[+-]\d{4})?\s*$/.exec(raw);
  if (!m) return null;
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
}

function blank(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    (typeof v === 'string' && v.trim() === '') ||
    (Array.isArray(v) && v.length === 0)
  );
}

/**
 * Reads the fields of one form step. `required` is false for 上一步/修改/保存草稿: what is valid is saved, what is
 * not is kept as typed, and nothing blocks leaving the step.
 */
export function readStep(
  step: FormStep,
  form: Record<string, unknown>,
  env: Env,
  required: boolean,
): StepInput {
  const out: StepInput = { patch: {}, typed: {}, errors: [] };
  const today = businessDate(env.now);
  const need = (field: string, verb = '填写') => {
    if (required) out.errors.push(`请${verb}「${FIELD_LABEL[field] ?? field}」。`);
  };
  /** Runs the core's check on a one-field patch; keeps the typed value when refused. */
  const accept = (name: string, raw: unknown, patch: FactsPatch) => {
    const checked = validateFactsPatch(patch, env, today);
    if (isRefusal(checked)) {
      out.errors.push(checked.reason);
      out.typed[name] = raw;
      return;
    }
    Object.assign(out.patch, checked);
  };
  const str = (name: string): string | undefined => {
    const p = text.safeParse(form[name]);
    return p.success ? p.data : undefined;
  };

  switch (step) {
    case 'basics': {
      const title = str('title');
      if (blank(title)) {
        need('title');
        if (title !== undefined) out.typed.title = title;
      } else accept('title', title, { title });
      const date = str('occurredOn');
      if (blank(date)) need('occurredOn', '选择');
      else {
        const parsed = parsePickedDate(date!);
        if (parsed === null) {
          out.errors.push('「发生日期」格式不正确，请在日期选择器中选择。');
          out.typed.occurredOn = date;
        } else accept('occurredOn', date, { occurredOn: parsed });
      }
      for (const field of ['stage', 'unitId'] as const) {
        const v = str(field);
        if (blank(v)) need(field, '选择');
        else accept(field, v, { [field]: v });
      }
      break;
    }
    case 'story':
    case 'remedies': {
      const v = str(step);
      if (blank(v)) {
        need(step);
        if (v !== undefined && v !== '') out.typed[step] = v;
      } else accept(step, v, { [step]: v });
      break;
    }
    case 'loss': {
      const v = str('lossAndImpact');
      if (blank(v)) need('lossAndImpact');
      else accept('lossAndImpact', v, { lossAndImpact: v });
      for (const field of ['majorLoss', 'seriousImpact'] as const) {
        const p = choice.safeParse(form[field]);
        if (!p.success) need(field, '选择');
        else out.patch[field] = p.data === 'yes';
      }
      break;
    }
    case 'items': {
      const chosen: string[] = [];
      for (const name of STEP_FIELDS.items) {
        const p = many.safeParse(form[name] ?? []);
        if (p.success) chosen.push(...p.data);
      }
      if (chosen.length === 0) {
        if (required)
          out.errors.push(
            '请至少选择一项「适用情形」；确实都不符合的，可选择第九条第（九）项或第十条第（八）项等“其他”情形并在事情经过中说明。',
          );
        break;
      }
      accept('items', chosen, { items: chosen });
      break;
    }
    case 'conditions': {
      const conditions: Partial<Record<ConditionId, boolean>> = {};
      env.policy.conditions.forEach((c, i) => {
        const p = choice.safeParse(form[`c${i + 1}`]);
        if (p.success) conditions[c.id] = p.data === 'yes';
        else if (required) out.errors.push(`请确认${c.citation}「${c.wording}」是否符合。`);
      });
      if (Object.keys(conditions).length > 0) accept('conditions', conditions, { conditions });
      break;
    }
  }
  return out;
}

/** The facts after a patch, for deciding where to go next before the state is committed. */
export function patched(facts: CaseFacts, patch: FactsPatch): CaseFacts {
  const next = { ...facts, ...patch };
  if (patch.conditions) next.conditions = { ...facts.conditions, ...patch.conditions };
  return next;
}

export function stepAfter(step: IntakeStep, facts: CaseFacts, env: Env): IntakeStep {
  const steps = stepsFor(facts, env.policy);
  const at = ALL_STEPS.indexOf(step);
  return steps.find((s) => ALL_STEPS.indexOf(s) > at) ?? 'summary';
}

export function stepBefore(step: IntakeStep, facts: CaseFacts, env: Env): IntakeStep {
  const steps = stepsFor(facts, env.policy);
  const at = ALL_STEPS.indexOf(step);
  return [...steps].reverse().find((s) => ALL_STEPS.indexOf(s) < at) ?? 'basics';
}

export function position(step: IntakeStep, facts: CaseFacts, env: Env): { index: number; total: number } {
  const steps = stepsFor(facts, env.policy);
  const index = steps.indexOf(step);
  return { index: Math.max(index, 0), total: steps.length };
}

/** Where a user who comes back should land: the first step with something missing, else the summary. */
export function firstIncompleteStep(facts: CaseFacts, env: Env): IntakeStep {
  const missing = new Set(missingFacts(facts, env.policy));
  const has = (...names: string[]) => names.some((n) => missing.has(n));
  if (has('事项名称', '发生日期', '执法环节', '科室')) return 'basics';
  if (has('事情经过')) return 'story';
  if (has('损失和影响', '是否造成重大损失', '是否造成严重不良影响')) return 'loss';
  if (has('补救措施')) return 'remedies';
  if (has('适用情形')) return 'items';
  if (has('第十条三项条件')) return 'conditions';
  return 'summary';
}

/** The step a text typed in the chat would fill and whether the step still needs a choice afterwards. */
export function textFills(step: IntakeStep, facts: CaseFacts): { stillOpen: boolean } {
  if (step === 'loss') return { stillOpen: facts.majorLoss === null || facts.seriousImpact === null };
  return { stillOpen: false };
}
