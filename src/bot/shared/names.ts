// Who and where, as the cards name them: shared by every feature and by the jobs.
import type { ChatChoice } from '../../../cards/determination';
import type { Actor, Case } from '../../cases/types';
import { SYSTEM_OPEN_ID } from '../../cases/types';
import type { Ctx } from '../context';

/** The machinery's actor for delivery receipts and scheduled follow-ups. */
export const SYSTEM_ACTOR: Actor = { openId: SYSTEM_OPEN_ID, roles: [] };

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

/** 2026-03-02 10:00 in Asia/Shanghai, whatever the server's time zone. */
export function shanghaiTime(at: string | number): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

const nameCache = new WeakMap<Ctx, Map<string, string>>();

/** A person's name: the roster's, else the contact directory's, else a neutral placeholder. */
export async function nameOf(ctx: Ctx, openId: string, c?: Case): Promise<string> {
  let cache = nameCache.get(ctx);
  if (!cache) {
    // A copy: the roster's names are shared between units, the contact directory's answers are this unit's.
    cache = new Map(Object.entries(await ctx.deps.rosterNames(ctx.repo)));
    nameCache.set(ctx, cache);
  }
  if (c && openId === c.subjectOpenId && c.subjectName) return c.subjectName;
  const known = cache.get(openId);
  if (known) return known;
  const fetched = openId === SYSTEM_OPEN_ID ? '系统' : await ctx.deps.userName(openId);
  const name = fetched ?? '未登记姓名的人员';
  cache.set(openId, name);
  return name;
}

/** Bound chats the secretary can publish to. */
export async function chatChoices(ctx: Ctx): Promise<ChatChoice[]> {
  const units = ctx.deps.policy.units;
  return (await ctx.repo.bindings()).map((b) => ({
    chatId: b.chatId,
    label:
      b.kind === 'party'
        ? '党组群'
        : b.kind === 'publication'
          ? '公示群'
          : `科室群（${units.find((u) => u.id === b.unitId)?.name ?? b.unitId}）`,
  }));
}
