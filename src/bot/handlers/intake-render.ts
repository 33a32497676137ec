// Builds the card for the step a user is on from the case and the conversation's kept values.
import { intakeEvidenceCard } from '../../../cards/intake/evidence';
import { type IntakeStep, isFormStep, STEP_FIELDS } from '../../../cards/intake/model';
import { intakeStepCard } from '../../../cards/intake/step';
import { intakeSummaryCard } from '../../../cards/intake/summary';
import { businessDate } from '../../calendar';
import { missingFacts } from '../../cases/facts';
import type { Case, CaseFacts } from '../../cases/types';
import { assess } from '../../policy';
import type { Ctx } from '../context';
import { position } from './intake-flow';

/** The engine reads claimed items, the three conditions and the loss answers; unanswered ones stay open. */
export function assessmentOf(ctx: Ctx, f: CaseFacts) {
  return assess(
    {
      items: f.items,
      conditions: f.conditions,
      ...(f.majorLoss !== null ? { majorLoss: f.majorLoss } : {}),
      ...(f.seriousImpact !== null ? { seriousImpact: f.seriousImpact } : {}),
    },
    ctx.env.policy,
  );
}

export function stepCard(
  ctx: Ctx,
  c: Case,
  step: IntakeStep,
  opts: { typed?: Record<string, unknown>; errors?: string[]; banner?: string } = {},
): object {
  const ref = { caseId: c.id, number: c.number, origin: c.origin };
  const errors = opts.errors ?? [];
  const banner = opts.banner;
  if (step === 'evidence') {
    return intakeEvidenceCard({
      ...ref,
      position: position(step, c.facts, ctx.env),
      evidence: c.facts.evidence,
      errors,
      ...(banner ? { banner } : {}),
    });
  }
  if (step === 'summary') {
    return intakeSummaryCard({
      ...ref,
      facts: c.facts,
      policy: ctx.env.policy,
      assessment: assessmentOf(ctx, c.facts),
      missing: missingFacts(c.facts, ctx.env.policy),
      errors,
      ...(banner ? { banner } : {}),
    });
  }
  if (!isFormStep(step)) throw new Error(`unknown intake step ${step}`);
  const typed: Record<string, unknown> = {};
  for (const f of STEP_FIELDS[step]) if (opts.typed && f in opts.typed) typed[f] = opts.typed[f];
  return intakeStepCard({
    ...ref,
    step,
    position: position(step, c.facts, ctx.env),
    facts: c.facts,
    typed,
    errors,
    ...(banner ? { banner } : {}),
    policy: ctx.env.policy,
    today: businessDate(ctx.now),
  });
}
