import { recusedFrom } from '../cases/access';
import type { Case, Intent, Recipient, Report } from '../cases/types';
import { Repo } from '../store/repo';
import { Ctx } from './context';
import { liveCards, rendererFor } from './templates';

export const trackerRef = (caseId: string) => `tracker:${caseId}`;
export const deliberationRef = (caseId: string, round: number) => `deliberation:${caseId}:${round}`;
export const noticeRef = (caseId: string, noticeId: string) => `notice:${caseId}:${noticeId}`;

/** Where a message goes: a direct chat or a group chat. */
type Destination = { openId: string } | { chatId: string };

/**
 * Who a role-addressed message about this case or report never reaches, whatever its `exclude` says:
 * shell-built recipients (jobs, intake) list only the subject, so the co-accused are added here.
 */
function recusedOf(state: { case?: Case; report?: Report }): string[] {
  return [...(state.case ? recusedFrom(state.case) : []), ...(state.report?.accused ?? [])];
}

async function resolve(ctx: Ctx, to: Recipient, recused: readonly string[] = []): Promise<Destination[]> {
  if ('user' in to) return [{ openId: to.user }];
  if ('roles' in to) {
    const people = new Set<string>();
    for (const role of to.roles) for (const r of await ctx.repo.withRole(role)) people.add(r.openId);
    for (const x of [...to.exclude, ...recused]) people.delete(x);
    return [...people].map((openId) => ({ openId }));
  }
  const chat = to.chat;
  if (chat === 'party' || chat === 'publication') {
    const id =
      (await ctx.repo.chatFor(chat)) ??
      (chat === 'publication' ? await ctx.repo.chatFor('party') : undefined);
    if (id) return [{ chatId: id }];
    // No party chat bound yet: the party members hear it directly rather than not at all.
    const members = new Set<string>();
    for (const role of ['party_member', 'secretary'] as const)
      for (const r of await ctx.repo.withRole(role)) members.add(r.openId);
    for (const x of recused) members.delete(x);
    return [...members].map((openId) => ({ openId }));
  }
  if ('unit' in chat) {
    const id = await ctx.repo.chatFor('unit', chat.unit);
    return id ? [{ chatId: id }] : [];
  }
  return [{ chatId: chat.id }];
}

/**
 * Turns the core's intents into outbox rows on the handler's Effects, so they commit with the state.
 * `state` is the case or report the decision produced.
 */
export async function emitIntents(
  ctx: Ctx,
  intents: Intent[],
  state: { case?: Case; report?: Report },
): Promise<void> {
  for (const intent of intents) {
    if (intent.kind === 'refresh_tracker') {
      const c = state.case;
      if (c) ctx.fx.patch({ ref: trackerRef(c.id) }, await liveCards.tracker(ctx, c));
      if (c) await liveCards.applications(ctx, c);
      continue;
    }
    if (intent.kind === 'refresh_deliberation') {
      if (state.case) refreshDeliberation(ctx, state.case.id, intent.round);
      continue;
    }
    const rendered = await rendererFor(intent.template)(ctx, {
      intent,
      case: state.case,
      report: state.report,
    });
    const noticeId = typeof intent.data?.noticeId === 'string' ? intent.data.noticeId : undefined;
    const baseRef =
      rendered.ref ?? (noticeId && intent.caseId ? noticeRef(intent.caseId, noticeId) : undefined);
    const destinations = await resolve(ctx, rendered.to ?? intent.to, recusedOf(state));
    destinations.forEach((to, i) => {
      const ref = baseRef && destinations.length > 1 ? `${baseRef}#${i}` : baseRef;
      const urgentRef = intent.urgent && 'openId' in to ? (ref ?? `urgent:${ctx.deps.newId('u')}`) : ref;
      ctx.fx.send(to, rendered.card, urgentRef);
      if (intent.urgent && 'openId' in to && urgentRef) ctx.fx.urgent({ ref: urgentRef }, [to.openId]);
    });
  }
}

/**
 * The vote card shared in the party chat is re-rendered after the commit, from what is committed: votes
 * are rows that commit side by side, so a card rendered inside one vote's unit could miss another's. The
 * refreshes of one card take turns (a sequence claim), so the last one to commit read every vote before it.
 */
function refreshDeliberation(ctx: Ctx, caseId: string, round: number): void {
  const ref = deliberationRef(caseId, round);
  ctx.fx.followUp(`refresh:${ref}`, async (fx) => {
    const later = new Ctx(fx, new Repo(fx.db), ctx.deps);
    const [c, turn] = await Promise.all([
      later.repo.getCase(caseId),
      later.repo.nextSeq(`card:${ref}`, fx.now),
    ]);
    if (!c) return;
    fx.write(...turn.write);
    fx.patch({ ref }, await liveCards.deliberation(later, c));
  });
}
