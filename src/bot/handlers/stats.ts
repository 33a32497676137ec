import { statsCard } from '../../../cards/stats';
import { updateCard } from '../../../cards/update';
import { statsCheck } from '../../cases/access';
import { analysisSince, statsFigures } from '../../jobs/analysis';
import { casesForAnalysis } from '../../store/repo-analysis';
import type { Ctx } from '../context';
import { answer, type Feature, type Said } from './types';

const STATS_WORDS = new Set(['统计', '查看统计', '统计数据', '数据统计', '统计分析', '容错统计', 'stats']);

export const isStatsCommand = (words: string) => STATS_WORDS.has(words);

/** Why someone may not see 统计, or null when they may (party members and the secretary only). */
async function statsRefusal(ctx: Ctx, openId: string): Promise<string | null> {
  return statsCheck(await ctx.actor(openId))?.reason ?? null;
}

export async function renderStats(ctx: Ctx) {
  const { policy } = ctx.env;
  const cases = await casesForAnalysis(ctx.fx.db, analysisSince(ctx.now, policy));
  return statsCard({ orgName: policy.orgName, ...statsFigures(cases, ctx.now, policy) });
}

async function onMessage(ctx: Ctx, said: Said): Promise<boolean> {
  if (said.kind !== 'text' && said.kind !== 'post') return false;
  if (!isStatsCommand(said.words)) return false;
  const refusal = await statsRefusal(ctx, said.openId);
  if (refusal) {
    ctx.fx.outcome = 'stats:refused';
    answer(
      ctx,
      said,
      updateCard({
        title: '未执行：查看统计',
        template: 'orange',
        lines: [refusal],
        buttons: [{ label: '帮助', value: { a: 'cmd', cmd: 'help' } }],
      }),
    );
    return true;
  }
  const card = await renderStats(ctx);
  ctx.fx.outcome = 'stats:shown';
  const partyChat = await ctx.repo.chatFor('party');
  if (said.chatType === 'group' && said.chatId !== partyChat) {
    // Other group members may not be party members: the figures go to a direct chat instead.
    ctx.fx.send({ openId: said.openId }, card);
    answer(
      ctx,
      said,
      updateCard({ title: '统计已私聊发送', lines: ['统计包含案件情况，已发到与你的私聊中。'] }),
    );
    return true;
  }
  answer(ctx, said, card);
  return true;
}

export const statsFeature: Feature = {
  name: 'stats',
  onMessage,
  actions: {
    'stats.refresh': async (ctx, action) => {
      const refusal = await statsRefusal(ctx, action.operatorOpenId);
      if (refusal) {
        ctx.fx.outcome = 'stats:refused';
        ctx.fx.toast('error', refusal);
        return;
      }
      ctx.fx.outcome = 'stats:refreshed';
      ctx.fx.card(await renderStats(ctx));
      ctx.fx.toast('success', '已刷新');
    },
  },
};
