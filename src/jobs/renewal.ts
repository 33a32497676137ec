import { and, asc, eq, isNotNull, like, lte, or } from 'drizzle-orm';
import { updateCard } from '../../cards/update';
import { messageRefs, outbox } from '../../db/schema';
import { Ctx } from '../bot/context';
import { orderCardFor } from '../bot/shared/order-card';
import { reportCardFor } from '../bot/shared/report-card';
import { liveCards } from '../bot/templates';
import type { Db } from '../store';
import { Repo } from '../store/repo';
import { eachDue, type Job } from './types';

/**
 * Lark lets a bot update a message, and a user click a JSON 2.0 card, for 14 days after sending. A card people
 * still act on is sent afresh two days before that, under the same ref (so later updates reach the new one),
 * and the old one says where it went.
 */
export const RENEW_AFTER_MS = 12 * 86_400_000;
const BATCH = 100;

/** The live cards, by ref prefix: what each shows now, or null when nothing on it is left to do. */
const LIVE: { prefix: string; render(ctx: Ctx, key: string): Promise<object | null> }[] = [
  {
    prefix: 'tracker:',
    async render(ctx, caseId) {
      const c = await ctx.repo.getCase(caseId);
      if (!c || c.status === 'closed' || c.status === 'withdrawn') return null;
      return liveCards.tracker(ctx, c);
    },
  },
  {
    prefix: 'deliberation:',
    async render(ctx, key) {
      const [caseId = '', round] = key.split(':');
      const c = await ctx.repo.getCase(caseId);
      // Only the open round's card takes votes; an earlier round's card already points to it.
      if (c?.status !== 'deliberating' || c.deliberation?.round !== Number(round)) return null;
      return liveCards.deliberation(ctx, c);
    },
  },
  {
    prefix: 'corr-order:',
    async render(ctx, caseId) {
      const c = await ctx.repo.getCase(caseId);
      return c?.status === 'correcting' ? orderCardFor(ctx, c) : null;
    },
  },
  {
    prefix: 'reportcard:',
    async render(ctx, key) {
      const at = key.indexOf('@');
      if (at < 0) return null;
      const r = await ctx.repo.getReport(key.slice(0, at));
      return r && r.status !== 'closed' ? reportCardFor(ctx, r, key.slice(at + 1)) : null;
    },
  },
];

const replaced = () =>
  updateCard({
    title: '此卡片已重新发送',
    template: 'grey',
    lines: ['飞书消息卡片发出 14 天后不能再更新和操作，最新的卡片已重新发送，请在下方最新消息中查看和操作。'],
  });

/** The oldest live cards sent before the renewal age, by an index range on when they were sent. */
export function renewalDueQuery(db: Db, now: Date) {
  return db
    .select()
    .from(messageRefs)
    .where(
      and(
        lte(messageRefs.updatedAt, now.getTime() - RENEW_AFTER_MS),
        isNotNull(messageRefs.chatId),
        // Only live cards: other refs (notices, application copies…) would fill the batch and never leave it.
        or(...LIVE.map((l) => like(messageRefs.ref, `${l.prefix}%`))),
      ),
    )
    .orderBy(asc(messageRefs.updatedAt))
    .limit(BATCH);
}

export const cardRenewalJob: Job = {
  name: 'cards.renewal',
  async run({ store, bot, runUnit }, now) {
    return eachDue(await renewalDueQuery(store.db, now), async (first) => {
      const live = LIVE.find((l) => first.ref.startsWith(l.prefix));
      if (!live) return false;
      const fx = await runUnit(
        `renew:${first.ref}`,
        async (fx) => {
          const [ref] = await fx.db.select().from(messageRefs).where(eq(messageRefs.ref, first.ref));
          if (!ref?.chatId || ref.messageId !== first.messageId) return;
          // A fresh copy already waiting to go out (an earlier tick): it replaces the old one when delivered.
          const [waiting] = await fx.db
            .select({ id: outbox.id })
            .from(outbox)
            .where(and(eq(outbox.ref, ref.ref), eq(outbox.op, 'send'), eq(outbox.status, 'pending')))
            .limit(1);
          if (waiting) return;
          const ctx = new Ctx(fx, new Repo(fx.db), bot);
          // A copy (`<ref>#<n>`, one per further destination) shows what the card under `<ref>` shows.
          const key = ref.ref.slice(live.prefix.length).split('#')[0] ?? '';
          const card = await live.render(ctx, key);
          if (!card) return;
          fx.send({ chatId: ref.chatId }, card, ref.ref);
          fx.patch({ messageId: ref.messageId }, replaced());
          fx.outcome = 'renewed';
        },
        now,
      );
      return fx.writes.length > 0;
    });
  },
};
