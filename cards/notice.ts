import type { Case, Determination, Notice, NoticeKind, NoticeTarget } from '../src/cases/types';
import type { Policy } from '../src/policy';
import { button, buttonRow, card, clip, escapeMd, hr, md } from './common';
import { basisNote, voteLabelOf } from './deliberation';
import { determinationLines } from './determination';
import { itemLines } from './findings';

/** An instant as Asia/Shanghai wall time, `2026-03-03 10:15`. */
export function shanghaiTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export const NOTICE_KIND_LABEL: Record<NoticeKind, string> = {
  subject: '当事人',
  unit: '相关科室',
  publication: '公开',
};

export function targetLabel(policy: Policy, t: NoticeTarget): string {
  if ('user' in t) return '当事人（私聊）';
  if (t.chat === 'party') return '党组群';
  if ('unit' in t.chat) {
    const unit = t.chat.unit;
    return `科室群（${policy.units.find((u) => u.id === unit)?.name ?? unit}）`;
  }
  return '指定群';
}

export interface DeterminationNoticeData {
  policy: Policy;
  c: Case;
  det: Determination;
  noticeId: string;
  kind: NoticeKind;
  /** A repeat for a subject who has not acknowledged yet. */
  reminder?: boolean;
  dueOn: string;
  /** Set once the subject pressed 确认收到. */
  acknowledgedAt?: string | null;
}

function art14Line(policy: Policy, det: Determination): string[] {
  return det.notErrorRecord
    ? [
        `📌 **${policy.statements.notAnError.citation}**：${det.statement ?? policy.statements.notAnError.text}本案**不作为执法错误认定**。`,
      ]
    : [];
}

/**
 * Art. 13 notice of the determination: to the subject (with 确认收到), to a related unit's chat, or the
 * publication within the chosen range. Tolerated cases carry the art. 14 statement.
 */
export function determinationNoticeCard(d: DeterminationNoticeData) {
  const { policy, c, det } = d;
  const head = `**案件**：${c.number ?? ''} ${escapeMd(clip(c.facts.title, 60))}`;
  const outcome = `${voteLabelOf(policy, det.outcome)}${basisNote(det.basis)}`;
  const elements: object[] = [];
  let title: string;
  if (d.kind === 'subject') {
    title = d.reminder ? '请确认收到认定结论告知' : '容错认定结论告知';
    elements.push(
      md(
        [
          `${c.subjectName ?? '同志'}：经${policy.orgName}党组研究，对您的容错认定申请作出如下结论。`,
          head,
          ...determinationLines(policy, det).filter((l) => !l.startsWith('**公开范围**')),
        ].join('\n'),
      ),
      hr(),
    );
    if (d.acknowledgedAt) {
      elements.push(md(`✅ 您已于 ${shanghaiTime(d.acknowledgedAt)} 确认收到本告知。`));
    } else {
      elements.push(
        md('请阅读后点击「确认收到」。如有异议，可以向党组书记或经办人反映。'),
        buttonRow([
          button('确认收到', { a: 'notice.ack', case: c.id, notice: d.noticeId }, { type: 'primary' }),
        ]),
      );
    }
  } else if (d.kind === 'unit') {
    title = '容错认定结论告知（科室）';
    elements.push(
      md(
        [
          `经${policy.orgName}党组研究，对下列案件作出认定结论，现予告知（第十三条）。`,
          head,
          `**当事人**：${c.subjectName ? escapeMd(c.subjectName) : '未登记'}`,
          `**认定结论**：${outcome}`,
          '**依据**',
          ...itemLines(policy, det.citedItems),
          `**认定理由**：${escapeMd(clip(det.reasons, 400))}`,
          ...art14Line(policy, det),
          ...(det.correctionRequired ? ['本案同时启动纠错程序（第十五条），纠错事项另行通知。'] : []),
        ].join('\n'),
      ),
    );
  } else {
    title = '容错认定结论公开';
    elements.push(
      md(
        [
          `根据第十三条「一般应在一定范围内公开」，现将认定结论公开如下。`,
          head,
          `**当事人**：${c.subjectName ? escapeMd(c.subjectName) : '未登记'}`,
          `**认定结论**：${outcome}`,
          '**依据**',
          ...itemLines(policy, det.citedItems),
          ...art14Line(policy, det),
        ].join('\n'),
      ),
    );
  }
  return card({
    title,
    subtitle: `${c.number ?? ''} ${outcome}`.trim(),
    template: det.outcome === 'refuse' ? 'red' : det.notErrorRecord ? 'green' : 'orange',
    summary: `${title}：${c.number ?? ''}`,
    elements,
  });
}

/** To the secretary and clerks on the last day: a notice is still not done. */
export function noticeEscalationCard(d: {
  policy: Policy;
  c: Case;
  kind: NoticeKind;
  target: NoticeTarget;
  dueOn: string;
  sent: boolean;
  lastError: string | null;
}) {
  const why = !d.sent
    ? `消息未能送达${d.lastError?.includes('230002') ? '（机器人不在该群中，请将机器人拉入群聊）' : d.lastError?.includes('230013') ? '（对方不在应用可用范围内，请管理员调整）' : ''}`
    : '当事人尚未确认收到';
  return card({
    title: '告知即将逾期，请督办',
    subtitle: `${d.c.number ?? ''} ${clip(d.c.facts.title, 40)}`.trim(),
    template: 'red',
    summary: `告知即将逾期：${d.c.number ?? ''}`,
    elements: [
      md(
        [
          `**告知对象**：${targetLabel(d.policy, d.target)}`,
          `**告知期限**：${d.dueOn}（第十三条：认定结论作出后 ${d.policy.notice.days} 日内告知）`,
          `**情况**：${why}`,
          '系统每日自动重发。请经办人当面或电话联系告知对象，确保期限内完成告知。',
        ].join('\n'),
      ),
    ],
  });
}

/** To the clerks when a notice was re-sent or the subject reminded. */
export function noticeFollowUpCard(d: {
  policy: Policy;
  c: Case;
  items: { target: NoticeTarget; action: 'resend' | 'remind'; dueOn: string }[];
}) {
  return card({
    title: '告知跟进提醒',
    subtitle: `${d.c.number ?? ''} ${clip(d.c.facts.title, 40)}`.trim(),
    template: 'orange',
    summary: `告知跟进：${d.c.number ?? ''}`,
    elements: [
      md(
        [
          ...d.items.map(
            (x) =>
              `- ${targetLabel(d.policy, x.target)}：${x.action === 'resend' ? '此前未送达，已重新发送' : '尚未确认收到，已再次提醒'}（期限 ${x.dueOn}）`,
          ),
          '请关注告知是否完成；期限最后一天仍未完成的，将报党组书记督办。',
        ].join('\n'),
      ),
    ],
  });
}

/** Before and after the decision deadline (default 15 working days after acceptance). */
export function decisionReminderCard(d: {
  number: string | null;
  title: string;
  dueOn: string;
  daysLeft: number;
  step: string;
}) {
  const when =
    d.daysLeft > 0
      ? `距认定期限还有 ${d.daysLeft} 个工作日`
      : d.daysLeft === 0
        ? '今天是认定期限'
        : `已超过认定期限 ${-d.daysLeft} 个工作日`;
  return card({
    title: d.daysLeft < 0 ? '认定已逾期' : '认定期限提醒',
    subtitle: `${d.number ?? ''} ${clip(d.title, 40)}`.trim(),
    template: d.daysLeft < 0 ? 'red' : 'yellow',
    summary: `${when}：${d.number ?? ''}`,
    elements: [md([`**认定期限**：${d.dueOn}（${when}）`, `**待办**：${d.step}`].join('\n'))],
  });
}

export interface NoticeStatus {
  id: string;
  kind: NoticeKind;
  label: string;
  state: 'acknowledged' | 'delivered' | 'pending' | 'failed' | 'overdue';
  text: string;
}

export interface NoticeCompliance {
  total: number;
  done: number;
  /** The earliest due date among notices not done, or the common due date. */
  dueOn: string | null;
  overdue: boolean;
  escalated: boolean;
  notices: NoticeStatus[];
  /** One line for a tracker, e.g. `告知：2/3 已完成（期限 2026-03-09）`. */
  summary: string;
}

function isDone(n: Notice): boolean {
  return n.kind === 'subject' ? n.acknowledgedAt !== null : n.sentAt !== null || n.deliveredAt !== null;
}

/**
 * Art. 13 notice compliance of a case for its tracker: which notices are done, which are pending or
 * failing, and whether the 7-day period has passed. `today` is a business date (Asia/Shanghai).
 */
export function noticeCompliance(c: Case, today?: string, policy?: Policy): NoticeCompliance {
  const notices = c.notices.map((n): NoticeStatus => {
    const label = policy ? targetLabel(policy, n.target) : NOTICE_KIND_LABEL[n.kind];
    const late = today !== undefined && today > n.dueOn;
    if (n.kind === 'subject' && n.acknowledgedAt)
      return {
        id: n.id,
        kind: n.kind,
        label,
        state: 'acknowledged',
        text: `已确认收到（${shanghaiTime(n.acknowledgedAt)}）`,
      };
    if (n.kind !== 'subject' && isDone(n))
      return {
        id: n.id,
        kind: n.kind,
        label,
        state: 'delivered',
        text: `已送达（${shanghaiTime(n.deliveredAt ?? n.sentAt ?? '')}）`,
      };
    if (late) return { id: n.id, kind: n.kind, label, state: 'overdue', text: `已逾期（期限 ${n.dueOn}）` };
    if (n.deliveredAt && n.kind === 'subject')
      return { id: n.id, kind: n.kind, label, state: 'delivered', text: '已送达，待确认收到' };
    if (n.failedAt && !n.deliveredAt)
      return { id: n.id, kind: n.kind, label, state: 'failed', text: '未能送达，将自动重发' };
    return { id: n.id, kind: n.kind, label, state: 'pending', text: '发送中' };
  });
  const done = c.notices.filter(isDone).length;
  const open = c.notices.filter((n) => !isDone(n));
  const dueOn = (open.length ? open : c.notices).map((n) => n.dueOn).sort()[0] ?? null;
  const overdue = today !== undefined && open.some((n) => today > n.dueOn);
  const escalated = open.some((n) => n.escalatedAt !== null);
  const summary =
    c.notices.length === 0
      ? '告知：尚未开始'
      : done === c.notices.length
        ? `告知：${done}/${c.notices.length} 已完成`
        : `告知：${done}/${c.notices.length} 已完成（期限 ${dueOn}${overdue ? '，已逾期' : ''}）`;
  return { total: c.notices.length, done, dueOn, overdue, escalated, notices, summary };
}
