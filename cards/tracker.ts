// The applicant's live tracker: one message per case, updated in place as the case moves.
import { STATUS_LABEL } from '../src/cases/common';
import { missingFacts } from '../src/cases/facts';
import type { Case } from '../src/cases/types';
import type { Policy } from '../src/policy';
import { button, buttonRow, card, clip, escapeMd, hr, md, type Template, tagColor } from './common';
import { CORRECTION_ACTIONS } from './correction';
import { INTAKE_ACTIONS } from './intake/model';

export interface TrackerData {
  c: Case;
  policy: Policy;
}

export const PROGRESS_STAGES = ['提交', '受理', '核查', '研判', '认定', '告知', '纠错', '办结'] as const;

const TEMPLATE: Record<Case['status'], Template> = {
  draft: 'grey',
  submitted: 'blue',
  investigating: 'wathet',
  deliberating: 'indigo',
  decided: 'green',
  correcting: 'orange',
  closed: 'green',
  withdrawn: 'grey',
};

/** Index of the stage the case is at (the first not yet done); 8 = all done. */
export function currentStage(c: Case): number {
  switch (c.status) {
    case 'draft':
    case 'withdrawn':
      return 0;
    case 'submitted':
      return 1;
    case 'investigating':
      return 2;
    case 'deliberating':
      return c.deliberation?.status === 'closed' ? 4 : 3;
    case 'decided': {
      const subject = c.notices.find((n) => n.kind === 'subject');
      return subject?.acknowledgedAt || subject?.deliveredAt ? 6 : 5;
    }
    case 'correcting':
      return 6;
    case 'closed':
      return PROGRESS_STAGES.length;
  }
}

export function progressLine(c: Case): string {
  const at = currentStage(c);
  return PROGRESS_STAGES.map((s, i) => {
    if (i < at) return `✔${s}`;
    if (i === at && c.status !== 'withdrawn') return `**▶${s}**`;
    return `<font color='grey'>${s}</font>`;
  }).join(' → ');
}

const label = (list: readonly { id: string; label?: string; name?: string }[], id: string) => {
  const hit = list.find((x) => x.id === id);
  return hit?.label ?? hit?.name ?? id;
};

/** What happens next and who holds it, in the applicant's words. */
export function nextStep(c: Case, policy: Policy): { what: string; who: string } {
  switch (c.status) {
    case 'draft':
      return c.returnReason
        ? { what: '按退回意见修改后重新提交', who: '你（申请人）' }
        : { what: '填写完成后提交申请', who: '你（申请人）' };
    case 'submitted':
      return { what: '受理或退回申请', who: '经办人 / 党组书记' };
    case 'investigating':
      if (c.origin !== 'individual' && missingFacts(c.facts, policy).length > 0)
        return { what: '补充案件事实', who: '你（当事人）' };
      return c.investigators.length === 0
        ? { what: '指派核查人员', who: '经办人 / 党组书记' }
        : { what: '核查事实并提出意见', who: '核查人员' };
    case 'deliberating':
      if (c.deliberation?.status !== 'closed') return { what: '党组集体研究、表决', who: '党组成员' };
      return c.deliberation.result?.carried
        ? { what: '作出认定决定', who: '党组书记' }
        : { what: '决定是否重新表决', who: '党组书记' };
    case 'decided': {
      const subject = c.notices.find((n) => n.kind === 'subject');
      if (subject && !subject.acknowledgedAt) return { what: '确认收到认定结果告知', who: '你（当事人）' };
      return c.determination?.correctionRequired
        ? { what: '下达纠错要求', who: '党组书记' }
        : { what: '办结归档', who: '党组书记' };
    }
    case 'correcting': {
      const o = c.correction;
      if (!o) return { what: '下达纠错要求', who: '党组书记' };
      if (o.status === 'completed') return { what: '验收整改情况', who: '党组书记' };
      const who = o.responsible.openId === c.subjectOpenId ? '你（责任人）' : '纠错责任人';
      return { what: '按纠错要求整改并报告（第十五条、第十六条）', who };
    }
    case 'closed':
      return { what: '已办结，无需操作', who: '—' };
    case 'withdrawn':
      return { what: '申请已撤回，无需操作', who: '—' };
  }
}

function deadlines(c: Case, policy: Policy): string[] {
  const out: string[] = [];
  if (c.decisionDueOn && ['investigating', 'deliberating', 'submitted'].includes(c.status))
    out.push(`**认定期限**：${c.decisionDueOn}（受理后 ${policy.decision.days} 个工作日）`);
  const subject = c.notices.find((n) => n.kind === 'subject');
  if (c.status === 'decided' && subject && !subject.acknowledgedAt)
    out.push(`**告知期限**：${subject.dueOn}（第十三条：作出决定之日起 ${policy.notice.days} 日内）`);
  if (c.correction && c.correction.status !== 'accepted') {
    const pending = c.correction.extensions.find((e) => e.status === 'pending');
    out.push(
      `**纠错期限**：${c.correction.deadline}${pending ? `（已申请延期至 ${pending.newDeadline}，待批准）` : ''}`,
    );
  }
  return out;
}

export function trackerCard(d: TrackerData) {
  const { c, policy } = d;
  const template = TEMPLATE[c.status];
  const statusLabel = STATUS_LABEL[c.status];
  const next = nextStep(c, policy);
  const lines = [
    `**案件编号**：${c.number ?? '（提交后生成）'}`,
    `**事项**：${escapeMd(c.facts.title || '（未填写）')}`,
    `**来源**：${c.origin === 'individual' ? '个人申请' : c.origin === 'organisation' ? '组织启动' : '信访举报转办'}`,
    `**进度**：${progressLine(c)}`,
    `**下一步**：${next.what}　**办理人**：${next.who}`,
    ...deadlines(c, policy),
  ];
  if (c.status === 'draft' && c.returnReason) lines.push(`**退回原因**：${escapeMd(c.returnReason)}`);
  if (c.origin !== 'individual' && c.status === 'investigating' && next.who.startsWith('你'))
    lines.push('组织已启动对该事项的容错认定，请点「补充事实」说明经过、影响和补救措施，并上传证据材料。');
  const det = c.determination;
  if (det) {
    lines.push(`**认定结果**：${label(policy.voteOptions, det.outcome)}`);
    if (det.notErrorRecord)
      lines.push(`${policy.statements.notAnError.text}（${policy.statements.notAnError.citation}）`);
  }
  const buttons: object[] = [];
  if (c.status === 'draft')
    buttons.push(button('继续填写', { a: INTAKE_ACTIONS.resume, case: c.id }, { type: 'primary' }));
  if (c.status === 'investigating' && c.origin !== 'individual')
    buttons.push(button('补充事实', { a: INTAKE_ACTIONS.resume, case: c.id }, { type: 'primary' }));
  const o = c.correction;
  if (c.status === 'correcting' && o) {
    const lastReturn = o.returns.at(-1);
    if (o.status === 'completed') lines.push('**整改**：已报告整改完成，等待党组书记验收。');
    else if (lastReturn)
      lines.push(`**整改**：完成报告被退回（${escapeMd(clip(lastReturn.reason, 200))}），请继续整改。`);
    // The subject who is also the responsible officer answers the order from here too (art. 16).
    if (o.status === 'open' && o.responsible.openId === c.subjectOpenId)
      buttons.push(button('纠错通知', { a: CORRECTION_ACTIONS.open, case: c.id }, { type: 'primary' }));
  }
  buttons.push(button('我的案件', { a: 'cmd', cmd: 'mine' }));
  return card({
    title: `容错认定案件　${c.number ?? '草稿'}`,
    subtitle: c.facts.title ? clip(c.facts.title, 40) : undefined,
    template,
    tags: [{ text: statusLabel, color: tagColor(template) }],
    summary: `${c.number ?? '容错认定'}：${statusLabel}，下一步：${next.what}`,
    elements: [md(lines.join('\n')), hr(), buttonRow(buttons)],
  });
}
