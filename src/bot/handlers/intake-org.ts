// 发起容错 @某人: the secretary or a clerk opens a case about an officer (组织启动), who is asked to add the facts.
import { organisationOpenedAckCard, organisationUsageCard } from '../../../cards/intake/notes';
import { businessDate } from '../../calendar';
import { openByOrganisation } from '../../cases/intake';
import { applyCase, isRefusal } from '../apply';
import type { Ctx } from '../context';
import { mentionedPeople } from './setup';
import { answer, type Said } from './types';

const COMMAND = /^\s*发起容错\s*/;

export async function openCaseByOrganisation(ctx: Ctx, said: Said): Promise<void> {
  if (said.chatType !== 'group') {
    answer(ctx, said, organisationUsageCard('「发起容错」需要在群聊中 @当事人，私聊中无法 @ 他人。'));
    return;
  }
  // The bot's own @mention is not one of the people named (known from the platform, else the first mention).
  const people = mentionedPeople(said, said.botOpenId).filter((m) => m.openId !== said.openId);
  if (people.length !== 1) {
    answer(
      ctx,
      said,
      organisationUsageCard(
        people.length === 0 ? '没有找到要启动认定的当事人。' : '一次只能为一名当事人发起，请分别发送。',
      ),
    );
    return;
  }
  const subject = people[0]!;
  const actor = await ctx.actor(said.openId);
  const limit = ctx.env.policy.limits.titleMaxLength;
  const typedTitle = said.text.replace(COMMAND, '').trim();
  const title = (typedTitle || `${subject.name || '当事人'}的执法事项（待当事人补充）`).slice(0, limit);
  const year = businessDate(ctx.now).slice(0, 4);
  const seq = await ctx.repo.nextSeq(`case:${year}`, ctx.now);
  const d = openByOrganisation(
    {
      type: 'open_by_organisation',
      caseId: ctx.deps.newId('case'),
      seq: seq.value,
      subject: { openId: subject.openId, ...(subject.name ? { name: subject.name } : {}) },
      title,
    },
    actor,
    ctx.env,
  );
  // A refusal must not claim the number, so the sequence write only rides along with a decision that holds.
  const r = await applyCase(ctx, null, d, d.ok ? seq.write : []);
  if (isRefusal(r)) {
    ctx.fx.outcome = `intake:org-refused:${r.code}`;
    answer(ctx, said, organisationUsageCard(r.reason));
    return;
  }
  ctx.fx.outcome = 'intake:org-opened';
  answer(
    ctx,
    said,
    organisationOpenedAckCard({ number: r.number ?? '', subjectName: subject.name || '当事人' }),
  );
}
