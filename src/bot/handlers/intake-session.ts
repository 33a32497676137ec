// The intake's progress per user in the conversations table: which case, which step, values typed but refused.
import { z } from 'zod';
import { type IntakeStep, isIntakeStep } from '../../../cards/intake/model';
import type { Case } from '../../cases/types';
import type { Conversation } from '../../store/repo';
import type { Ctx } from '../context';
import { firstIncompleteStep } from './intake-flow';

export const INTAKE_FLOW = 'intake';

const dataSchema = z.object({
  typed: z.record(z.string(), z.unknown()).catch({}),
  paused: z.boolean().catch(false),
});

export interface Session {
  openId: string;
  c: Case;
  /** The row as loaded (any flow), for the versioned write. */
  row: Conversation | undefined;
  /** True when the row already follows this case. */
  current: boolean;
  step: IntakeStep;
  typed: Record<string, unknown>;
  paused: boolean;
}

/** The subject may edit facts in a draft, or in a case the organisation opened while it is being checked. */
export function editable(c: Case): boolean {
  return c.status === 'draft' || (c.status === 'investigating' && c.origin !== 'individual');
}

export async function intakeConversation(ctx: Ctx, openId: string): Promise<Conversation | undefined> {
  const row = await ctx.repo.conversation(openId);
  return row?.flow === INTAKE_FLOW ? row : undefined;
}

export async function loadSession(ctx: Ctx, openId: string, c: Case): Promise<Session> {
  const row = await ctx.repo.conversation(openId);
  const current = row?.flow === INTAKE_FLOW && row.subjectId === c.id;
  if (current && row) {
    const data = dataSchema.safeParse(row.data);
    return {
      openId,
      c,
      row,
      current,
      step: isIntakeStep(row.step) ? row.step : firstIncompleteStep(c.facts, ctx.env),
      typed: data.success ? data.data.typed : {},
      paused: data.success ? data.data.paused : false,
    };
  }
  return {
    openId,
    c,
    row,
    current: false,
    step: firstIncompleteStep(c.facts, ctx.env),
    typed: {},
    paused: false,
  };
}

export function saveSession(
  ctx: Ctx,
  s: Session,
  next: { step: IntakeStep; typed?: Record<string, unknown>; paused?: boolean; cardRef?: string | null },
): void {
  ctx.fx.write(
    ...ctx.repo.saveConversation(
      s.row,
      {
        openId: s.openId,
        flow: INTAKE_FLOW,
        subjectId: s.c.id,
        step: next.step,
        data: { typed: next.typed ?? s.typed, paused: next.paused ?? false },
        cardRef: next.cardRef ?? s.row?.cardRef ?? null,
      },
      ctx.now,
    ),
  );
}

/** Ends the conversation only when it is about this case (another flow or case stays as it is). */
export function endSession(ctx: Ctx, s: Session): void {
  if (s.current) ctx.fx.write(ctx.repo.endConversation(s.openId));
}
