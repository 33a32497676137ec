// 「重试失败事件」: an admin puts the dead letters back in the inbox once the cause is fixed.
import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm';
import { inbox } from '../../../db/schema';
import { textMessage } from '../../notify/outbox';
import type { Ctx } from '../context';
import { REPLAY_COMMAND } from '../dead-letters';
import { normalizeCommand } from '../text';
import type { Feature, Said } from './types';
import { answer } from './types';

const REPLAY_WORDS = normalizeCommand(REPLAY_COMMAND);
/** One command replays at most this many; the answer says when more are left. */
const REPLAY_BATCH = 200;

async function onMessage(ctx: Ctx, said: Said): Promise<boolean> {
  if (said.words !== REPLAY_WORDS) return false;
  if (!(await ctx.isAdmin(said.openId))) {
    ctx.fx.outcome = 'dead-letters:refused';
    answer(ctx, said, textMessage(`只有管理员可以${REPLAY_COMMAND}，本次没有做任何更改。`));
    return true;
  }
  const { db } = ctx.repo;
  const failed = await db
    .select({ eventId: inbox.eventId })
    .from(inbox)
    .where(and(eq(inbox.status, 'failed'), isNotNull(inbox.payload)))
    .orderBy(asc(inbox.receivedAt))
    .limit(REPLAY_BATCH + 1);
  const unkept = await db
    .select({ eventId: inbox.eventId })
    .from(inbox)
    .where(and(eq(inbox.status, 'failed'), isNull(inbox.payload)));
  const batch = failed.slice(0, REPLAY_BATCH);
  const lines: string[] = [];
  if (batch.length === 0) {
    ctx.fx.outcome = 'dead-letters:none';
    lines.push('目前没有可以重新处理的失败事件。');
  } else {
    ctx.fx.outcome = 'dead-letters:replay';
    // Only a row still failed goes back: two admins replaying at once put each event back once.
    for (const { eventId } of batch)
      ctx.fx.write(
        db
          .update(inbox)
          .set({ status: 'pending', attempts: 0, outcome: null, handledAt: null })
          .where(and(eq(inbox.eventId, eventId), eq(inbox.status, 'failed'))),
      );
    ctx.fx.replayRequested = true;
    lines.push(
      `已将 ${batch.length} 个失败事件重新处理，结果会直接发给各自的发送人；如仍失败，你会再次收到提醒。`,
    );
    if (failed.length > REPLAY_BATCH) lines.push(`还有更多失败事件，请稍后再发送一次「${REPLAY_COMMAND}」。`);
  }
  if (unkept.length > 0)
    lines.push(
      `另有 ${unkept.length} 个失败事件按保密要求未保留内容，无法重新处理，发送人已被告知重新操作。`,
    );
  ctx.fx.audit({
    actor: said.openId,
    action: 'inbox.replay',
    subject: 'inbox',
    after: { replayed: batch.map((r) => r.eventId) },
  });
  answer(ctx, said, textMessage(lines.join('\n')));
  return true;
}

export const deadLettersFeature: Feature = { name: 'dead-letters', onMessage };
