/**
 * 我的案件 and 待办 stay current. Each person's latest list is sent under a ref of its own and re-rendered,
 * after the commit, whenever a case moves (the patch only goes when what it shows changed). A click on any
 * list, an older one included, also brings that list up to date for the clicker, so a stale button shows
 * where things stand instead of leading nowhere.
 */

import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { caseListCard } from '../../../cards/case-list';
import { todoCard } from '../../../cards/todo';
import { kv, messageRefs } from '../../../db/schema';
import type { Case } from '../../cases/types';
import type { CardAction } from '../../lark/envelope';
import type { Db } from '../../store';
import { prefixRange } from '../../store/prefix';
import { prepared } from '../../store/prepared';
import { Repo } from '../../store/repo';
import { Ctx } from '../context';
import type { Effects } from '../effects';
import { todoItems } from './cases-todo';
import { nextStep, resumeValue, statusLabel } from './cases-view';

export type ListKind = 'mine' | 'todo';

const LIST_PREFIX = 'list:';
export const listRef = (kind: ListKind, openId: string) => `${LIST_PREFIX}${kind}:${openId}`;
const shownKey = (ref: string) => `shown:${ref}`;
/** How long what a list showed is remembered: Lark updates a message for 14 days after sending. */
const UPDATABLE_MS = 14 * 86_400_000;

function parseRef(ref: string): { kind: ListKind; openId: string } | null {
  const m = /^list:(mine|todo):(.+)$/.exec(ref);
  return m?.[1] && m[2] ? { kind: m[1] as ListKind, openId: m[2] } : null;
}

export async function mineCard(ctx: Ctx, openId: string): Promise<{ card: object; count: number }> {
  const cases = await ctx.repo.casesOfSubject(openId);
  const items = cases.map((c) => ({
    caseId: c.id,
    number: c.number,
    title: c.facts.title,
    statusLabel: statusLabel(c),
    nextStep: nextStep(c),
    action:
      c.status === 'draft'
        ? { label: '继续填写', value: resumeValue(c.id) }
        : { label: '查看', value: { a: 'case.open', caseId: c.id } as const },
  }));
  return { card: caseListCard({ items }), count: items.length };
}

export async function todoListCard(ctx: Ctx, openId: string): Promise<{ card: object; count: number }> {
  const items = await todoItems(ctx, await ctx.actor(openId));
  return { card: todoCard({ items }), count: items.length };
}

const render = (ctx: Ctx, kind: ListKind, openId: string) =>
  kind === 'mine' ? mineCard(ctx, openId) : todoListCard(ctx, openId);

/** A short fingerprint of a card, to tell whether a list changed (not a security measure). */
function fingerprint(card: object): string {
  const s = JSON.stringify(card);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return `${s.length}:${h.toString(16)}`;
}

/** Records what the list sent under `ref` shows, in the same commit as the send or the patch. */
function remember(ctx: Ctx, ref: string, card: object): void {
  const at = ctx.now.getTime();
  const value = fingerprint(card);
  ctx.fx.write(
    ctx.repo.db
      .insert(kv)
      .values({ key: shownKey(ref), value, updatedAt: at, expiresAt: at + UPDATABLE_MS })
      .onConflictDoUpdate({ target: kv.key, set: { value, updatedAt: at, expiresAt: at + UPDATABLE_MS } }),
  );
}

/** The list to send now, with the ref that keeps it current. */
export async function listToSend(
  ctx: Ctx,
  kind: ListKind,
  openId: string,
): Promise<{ card: object; count: number; ref: string }> {
  const ref = listRef(kind, openId);
  const shown = await render(ctx, kind, openId);
  remember(ctx, ref, shown.card);
  return { ...shown, ref };
}

/**
 * Patches the list under `ref` when what it shows changed since it was sent or last updated; past Lark's 14
 * days the delivery sends the update afresh instead (src/notify/deliver.ts).
 */
async function bringUpToDate(ctx: Ctx, ref: string): Promise<void> {
  const who = parseRef(ref);
  if (!who) return;
  const { card } = await render(ctx, who.kind, who.openId);
  const [seen] = await ctx.repo.db
    .select({ value: kv.value })
    .from(kv)
    .where(eq(kv.key, shownKey(ref)));
  if (seen?.value === fingerprint(card)) return;
  ctx.fx.patch({ ref }, card);
  remember(ctx, ref, card);
}

/** A list nobody has asked for again in this long is left as it is. */
const FOLLOWED_MS = 60 * 86_400_000;

/**
 * After the commit that moved `c`: the lists asked for lately that can show it, re-rendered from what is
 * committed — its subject's 我的案件 (nobody else's lists the case), and every 待办 (who has a step depends on
 * roles and the case's people).
 */
export function refreshLists(ctx: Ctx, c: Case): void {
  const mine = listRef('mine', c.subjectOpenId);
  type Refs = { ref: string }[];
  const refresh = (refs: (db: Db, since: number) => Refs | Promise<Refs>) => async (fx: Effects) => {
    const later = new Ctx(fx, new Repo(fx.db), ctx.deps);
    for (const r of await refs(fx.db, fx.now.getTime() - FOLLOWED_MS)) await bringUpToDate(later, r.ref);
  };
  ctx.fx.followUp(
    `refresh:${mine}`,
    refresh((db, since) => followedList(db).all({ ref: mine, since })),
  );
  ctx.fx.followUp(
    'refresh:lists:todo',
    refresh((db, since) => followedLists(db).all({ ...prefixRange(`${LIST_PREFIX}todo:`), since })),
  );
}

// Every case change asks these (a job's thousand due cases, each of its own subject): built once per database.
const followedList = (db: Db) =>
  prepared(db, 'followedList', (d) =>
    d
      .select({ ref: messageRefs.ref })
      .from(messageRefs)
      .where(
        and(
          eq(messageRefs.ref, sql.placeholder('ref')),
          gte(messageRefs.updatedAt, sql.placeholder('since')),
        ),
      )
      .prepare(),
  );
const followedLists = (db: Db) =>
  prepared(db, 'followedLists', (d) =>
    d
      .select({ ref: messageRefs.ref })
      .from(messageRefs)
      .where(
        and(
          gte(messageRefs.ref, sql.placeholder('from')),
          lt(messageRefs.ref, sql.placeholder('below')),
          gte(messageRefs.updatedAt, sql.placeholder('since')),
        ),
      )
      .prepare(),
  );

/**
 * A click on a list (its buttons say which, `from`): once the click's own work is committed, the clicked list
 * shows the current state, unless the answer replaced the card with something else.
 */
export function afterListClick(ctx: Ctx, a: CardAction): void {
  const from = a.value.from;
  const clicked = a.messageId;
  if ((from !== 'mine' && from !== 'todo') || !clicked || ctx.fx.anonymous || ctx.fx.response?.card) return;
  const ref = listRef(from, a.operatorOpenId);
  ctx.fx.followUp(`list-click:${clicked}`, async (fx) => {
    const later = new Ctx(fx, new Repo(fx.db), ctx.deps);
    const [latest] = await fx.db
      .select({ messageId: messageRefs.messageId })
      .from(messageRefs)
      .where(eq(messageRefs.ref, ref));
    if (latest?.messageId === clicked) return bringUpToDate(later, ref);
    fx.patch({ messageId: clicked }, (await render(later, from, a.operatorOpenId)).card);
  });
}
