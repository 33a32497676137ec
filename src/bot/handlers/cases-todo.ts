import { escapeMd } from '../../../cards/common';
import { CLOSE_ACTION } from '../../../cards/determination';
import { noticeCompliance } from '../../../cards/notice';
import type { TodoItem } from '../../../cards/todo';
import { businessDate } from '../../calendar';
import {
  handlerCheck,
  investigatorCheck,
  isRecused,
  responsibleCheck,
  secretaryCheck,
  voterCheck,
} from '../../cases/access';
import { hasRole } from '../../cases/common';
import type { Actor, Case } from '../../cases/types';
import type { Ctx } from '../context';
import { nameOf, shanghaiTime } from '../shared/names';
import { resumeValue } from './cases-view';

const OPEN_STATUSES = ['submitted', 'investigating', 'deliberating', 'decided', 'correcting'] as const;

const open = (caseId: string, label = '打开') => ({ label, value: { a: 'case.open', caseId } as const });

/** The correction slice's cards: the order with its buttons, or what awaits the secretary's decision. */
const correction = (caseId: string, label: string) => ({
  label,
  value: { a: 'corr.open', case: caseId } as const,
});

function label(c: Case): string {
  return `**${c.number ?? '草稿'}**　${c.facts.title ? escapeMd(c.facts.title) : '（未命名事项）'}`;
}

/**
 * What waits for this person, by the roles the roster gives them: handlers accept and route,
 * investigators report findings, party members vote, subjects finish drafts, acknowledge notices and correct.
 * Nobody is shown a case they are the subject of as anything but its subject (recusal).
 */
export async function todoItems(ctx: Ctx, actor: Actor): Promise<TodoItem[]> {
  const me = actor.openId;
  const today = businessDate(ctx.now);
  const items: TodoItem[] = [];
  const active = (await ctx.repo.casesByStatus([...OPEN_STATUSES])).filter((c) => !isRecused(c, me));
  const who = (c: Case) => nameOf(ctx, c.subjectOpenId, c);
  // Each item is offered by the same check the command it leads to runs.
  const handling = active.filter((c) => handlerCheck(c, actor, '办理申请') === null);
  const secretary = (c: Case) => secretaryCheck(c, actor, '办理本案') === null;

  for (const c of handling.filter((x) => x.status === 'submitted')) {
    const at = c.submittedAt ? shanghaiTime(c.submittedAt) : '';
    items.push({
      group: '待受理的申请',
      text: `${label(c)}\n${await who(c)}，${at} 提交`,
      action: open(c.id),
    });
  }
  for (const c of handling.filter((x) => x.status === 'investigating' && x.investigators.length === 0)) {
    items.push({
      group: '待指派核查人员',
      text: `${label(c)}\n${await who(c)}，已受理`,
      action: open(c.id),
    });
  }
  for (const c of handling.filter((x) => x.status === 'investigating' && x.findings !== null)) {
    items.push({
      group: '核查意见已提交，待开启党组审议',
      text: `${label(c)}\n认定期限 ${c.decisionDueOn ?? '—'}`,
      // The secretary opens the vote from here; a clerk sees the case.
      action: secretary(c)
        ? {
            label: '发起表决',
            value: { a: 'delib.open', case: c.id },
            confirm: { title: '发起党组表决', text: `确认在党组群发起 ${label(c)} 的表决？` },
          }
        : open(c.id),
    });
  }
  for (const c of active.filter(secretary)) {
    const d = c.deliberation;
    if (c.status === 'deliberating' && d?.status === 'closed') {
      // The issuing form when an option carried; the new-round card when none did.
      const carried = d.result?.carried;
      items.push({
        group: '表决已结束，待作出认定',
        text: carried ? label(c) : `${label(c)}\n第 ${d.round} 轮表决未形成多数意见`,
        action: {
          label: carried ? '签发认定结论' : '重新表决',
          value: { a: 'det.form', case: c.id, round: d.round },
        },
      });
    }
    const det = c.determination;
    if (c.status === 'decided' && det && !det.correctionRequired) {
      const n = noticeCompliance(c, today, ctx.env.policy);
      const note =
        n.done === n.total
          ? `${n.summary}，可以办结`
          : `${n.summary}\n⚠️ 告知尚未全部完成：建议完成后再办结；现在办结，系统将不再自动跟进告知。`;
      items.push({
        group: '已认定、无需纠错，待办结',
        text: `${label(c)}\n${note}`,
        action: {
          label: '办结',
          value: { a: CLOSE_ACTION, case: c.id, src: 'todo' },
          confirm: {
            title: '办结本案？',
            text:
              n.done === n.total
                ? '认定结论不需要纠错，告知已全部完成，办结后案件归档。'
                : `还有 ${n.total - n.done} 项告知未完成，办结后系统将不再自动跟进告知。`,
          },
        },
      });
    }
    if (c.status === 'decided' && c.determination?.correctionRequired && !c.correction)
      items.push({
        group: '认定要求纠错，待下达纠错通知',
        text: label(c),
        action: { label: '设定纠错事项', value: { a: 'corr.form', case: c.id } },
      });
    const o = c.correction;
    if (c.status !== 'correcting' || !o) continue;
    if (o.extensions.some((e) => e.status === 'pending'))
      items.push({
        group: '待审批的延期申请',
        text: `${label(c)}\n原期限 ${o.deadline}`,
        action: correction(c.id, '审批'),
      });
    if (o.status === 'completed')
      items.push({ group: '整改完成，待验收', text: label(c), action: correction(c.id, '验收') });
  }
  for (const c of active) {
    if (investigatorCheck(c, actor) === null && c.status === 'investigating' && c.findings === null)
      items.push({
        group: '待提交核查意见',
        text: `${label(c)}\n认定期限 ${c.decisionDueOn ?? '—'}`,
        action: { label: '填写核查意见', value: { a: 'findings.open', case: c.id } },
      });
  }
  if (hasRole(actor, 'party_member')) {
    for (const c of active) {
      const d = c.deliberation;
      if (d && voterCheck(c, actor) === null && !d.votes[me])
        items.push({
          group: '待表决',
          text: `${label(c)}\n第 ${d.round} 轮，已表决 ${Object.keys(d.votes).length}/${d.eligibleVoters.length} 人，请在党组群的表决卡片上投票`,
          action: open(c.id),
        });
    }
  }

  const mine = await ctx.repo.casesOfSubject(me);
  for (const c of mine) {
    if (c.status === 'draft')
      items.push({
        group: '待完成的申请',
        text: c.returnReason
          ? `${label(c)}\n已退回补充：${c.returnReason.slice(0, 80)}`
          : `${label(c)}\n草稿尚未提交`,
        action: { label: '继续填写', value: resumeValue(c.id) },
      });
    for (const n of c.notices) {
      const toMe = n.kind === 'subject' && 'user' in n.target && n.target.user === me;
      if (toMe && n.sentAt !== null && n.acknowledgedAt === null)
        items.push({
          group: '待确认收到的告知',
          text: `${label(c)}\n请在告知卡片上点击「确认收到」`,
          action: open(c.id),
        });
    }
  }
  // The responsible officer may be someone other than the subject (art. 15).
  for (const c of [...mine, ...active]) {
    const o = c.correction;
    if (!o || responsibleCheck(c, me, '整改') !== null) continue;
    const overdue = o.deadline < today ? '，已逾期' : '';
    items.push({
      group: '纠错整改',
      text: `${label(c)}\n整改期限 ${o.deadline}${overdue}`,
      action: correction(c.id, '整改'),
    });
  }
  return items;
}
