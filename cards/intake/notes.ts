// Short cards around the intake: saved, cancelled, submitted, facts completed, and a few pointers.
import type { ActionValue } from '../actions';
import { escapeMd } from '../common';
import { updateCard } from '../update';
import { INTAKE_ACTIONS } from './model';

const apply: ActionValue<'cmd'> = { a: 'cmd', cmd: 'apply' };

export function draftSavedCard(d: { caseId: string; title: string; individual: boolean }) {
  return updateCard({
    title: '草稿已保存',
    template: 'green',
    lines: [
      `${d.title ? `「${escapeMd(d.title)}」` : '本次填写'}的内容都已保存，随时可以回来继续，不会丢失。`,
      d.individual
        ? '继续时点下方按钮，或发送「申请容错」。'
        : '继续时点下方按钮，或点案件卡片上的「补充事实」。',
    ],
    buttons: [{ label: '继续填写', value: { a: INTAKE_ACTIONS.resume, case: d.caseId }, type: 'primary' }],
  });
}

export function intakeCancelledCard(d: { individual: boolean; caseId: string }) {
  return d.individual
    ? updateCard({
        title: '已取消本次申请',
        template: 'grey',
        lines: ['这份草稿已撤回，不会提交。如需重新申请，请点下方按钮或发送「申请容错」。'],
        buttons: [{ label: '重新申请', value: apply, type: 'primary' }],
      })
    : updateCard({
        title: '已退出填写',
        template: 'grey',
        lines: ['已填写的内容都已保存。需要继续补充时，点下方按钮即可。'],
        buttons: [
          { label: '补充事实', value: { a: INTAKE_ACTIONS.resume, case: d.caseId }, type: 'primary' },
        ],
      });
}

/** Typed 取消: the destructive part still needs a click with a confirmation. */
export function confirmCancelCard(d: { caseId: string; individual: boolean }) {
  return updateCard({
    title: d.individual ? '确定取消本次申请吗？' : '确定退出填写吗？',
    template: 'orange',
    lines: [
      d.individual
        ? '取消后这份草稿将撤回，不会提交。如只是暂时离开，内容已自动保存，直接离开即可。'
        : '已填写的内容都已保存，退出后可随时继续。',
    ],
    buttons: [
      {
        label: d.individual ? '确定取消' : '确定退出',
        value: { a: INTAKE_ACTIONS.cancel, case: d.caseId },
        type: 'danger',
      },
      { label: '继续填写', value: { a: INTAKE_ACTIONS.resume, case: d.caseId }, type: 'primary' },
    ],
  });
}

export function intakeSubmittedCard(d: { number: string; title: string }) {
  return updateCard({
    title: '申请已提交',
    template: 'green',
    lines: [
      `**案件编号**：${d.number}`,
      `**事项**：${escapeMd(d.title)}`,
      '经办人将进行受理；进度会在案件卡片上实时更新，需要你处理时会另行通知。受理前可以撤回。',
    ],
    buttons: [{ label: '我的案件', value: { a: 'cmd', cmd: 'mine' } }],
  });
}

export function factsCompletedCard(d: { number: string | null; title: string }) {
  return updateCard({
    title: '案件事实已补充',
    template: 'green',
    lines: [
      `**案件**：${d.number ?? ''} ${escapeMd(d.title)}`,
      '已通知经办人。核查和研判的进度会在案件卡片上实时更新。',
    ],
  });
}

export function fileWithoutDraftCard() {
  return updateCard({
    title: '没有正在填写的申请',
    template: 'grey',
    lines: [
      '收到了你发送的文件。如需作为容错认定申请的证据材料，请先点下方按钮或发送「申请容错」，再发送文件。',
    ],
    buttons: [{ label: '申请容错', value: apply, type: 'primary' }],
  });
}

export function gotoDirectChatCard() {
  return updateCard({
    title: '请在私聊中申请',
    template: 'blue',
    lines: ['申请内容只有你本人和经办人员可见，已在与我的私聊中为你打开申请卡片。'],
  });
}

export function organisationOpenedAckCard(d: { number: string; subjectName: string }) {
  return updateCard({
    title: '已由组织启动容错认定',
    template: 'green',
    lines: [
      `**案件编号**：${d.number}`,
      `已私信通知 ${escapeMd(d.subjectName)} 补充案件事实（第十三条：党组可以主动启动认定程序）。`,
    ],
  });
}

export function organisationUsageCard(reason: string) {
  return updateCard({
    title: '发起容错',
    template: 'orange',
    lines: [
      escapeMd(reason),
      '用法：在群聊中 @我 并 @当事人，发送「发起容错 @当事人 事项名称」。仅党组书记和经办人可以发起。',
    ],
  });
}

export function refusalCard(title: string, reason: string) {
  return updateCard({ title, template: 'orange', lines: [escapeMd(reason)] });
}
