// The guided intake's steps as data, shared by the step cards and the intake handler.
import type { CaseFacts } from '../../src/cases/types';
import type { Policy } from '../../src/policy';

export type IntakeStep =
  | 'basics'
  | 'story'
  | 'loss'
  | 'remedies'
  | 'items'
  | 'conditions'
  | 'evidence'
  | 'summary';

/** Steps that show a form; evidence and summary are plain cards. */
export type FormStep = Exclude<IntakeStep, 'evidence' | 'summary'>;

export const ALL_STEPS: readonly IntakeStep[] = [
  'basics',
  'story',
  'loss',
  'remedies',
  'items',
  'conditions',
  'evidence',
  'summary',
];

export const STEP_LABEL: Record<IntakeStep, string> = {
  basics: '基本情况',
  story: '事情经过',
  loss: '损失和影响',
  remedies: '补救措施',
  items: '适用情形',
  conditions: '第十条三项条件',
  evidence: '证据材料',
  summary: '核对并提交',
};

export function isIntakeStep(x: unknown): x is IntakeStep {
  return typeof x === 'string' && (ALL_STEPS as readonly string[]).includes(x);
}

export function isFormStep(x: IntakeStep): x is FormStep {
  return x !== 'evidence' && x !== 'summary';
}

/** Art. 10 items need the three conditions of its second paragraph; otherwise that step is skipped. */
export function hasArticle10(facts: Pick<CaseFacts, 'items'>, policy: Policy): boolean {
  return facts.items.some((id) => policy.items.find((i) => i.id === id)?.article === 10);
}

export function stepsFor(facts: Pick<CaseFacts, 'items'>, policy: Policy): IntakeStep[] {
  return ALL_STEPS.filter((s) => s !== 'conditions' || hasArticle10(facts, policy));
}

/** Form field names per step; the same names key the values a user typed but that were not accepted. */
export const STEP_FIELDS: Record<FormStep, readonly string[]> = {
  basics: ['title', 'occurredOn', 'stage', 'unitId'],
  story: ['story'],
  loss: ['lossAndImpact', 'majorLoss', 'seriousImpact'],
  remedies: ['remedies'],
  items: ['items9', 'items10', 'items11', 'items12'],
  conditions: ['c1', 'c2', 'c3'],
};

/** Steps whose main answer may be typed as an ordinary chat message, and the fact it fills. */
export const TEXT_STEP_FIELD: Partial<Record<IntakeStep, 'story' | 'lossAndImpact' | 'remedies'>> = {
  story: 'story',
  loss: 'lossAndImpact',
  remedies: 'remedies',
};

export const FIELD_LABEL: Record<string, string> = {
  title: '事项名称',
  occurredOn: '发生日期',
  stage: '执法环节',
  unitId: '科室',
  story: '事情经过',
  lossAndImpact: '损失和影响',
  majorLoss: '是否造成重大损失',
  seriousImpact: '是否造成严重不良影响',
  remedies: '补救措施',
  items: '适用情形',
};

export const INTAKE_ACTIONS = {
  step: 'intake.step',
  goto: 'intake.goto',
  submit: 'intake.submit',
  complete: 'intake.complete',
  cancel: 'intake.cancel',
  remove: 'intake.remove',
  resume: 'intake.resume',
} as const;

export type StepMove = 'next' | 'back' | 'overview' | 'pause';
