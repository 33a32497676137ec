// Pieces shared by the intake cards: the step header, form fields, the button row every step carries.
import type { CaseOrigin } from '../../src/cases/types';
import type { ActionValue } from '../actions';
import { button, buttonRow, escapeMd, md, plain } from '../common';
import { INTAKE_ACTIONS, type IntakeStep, STEP_LABEL, type StepMove } from './model';

/** What every intake card shows about the case it belongs to. */
export interface IntakeCaseRef {
  caseId: string;
  number: string | null;
  origin: CaseOrigin;
}

// Lark inputs hold at most this many characters; longer saved text is shown, not put back in the box.
export const INPUT_MAX_CHARS = 1000;

export function intakeTitle(ref: IntakeCaseRef): string {
  return ref.origin === 'individual' ? '申请容错' : '补充案件事实';
}

export function intakeSubtitle(ref: IntakeCaseRef): string {
  return ref.number ? `案件编号：${ref.number}` : '草稿（提交后生成案件编号）';
}

export function stepHeading(step: IntakeStep, position: { index: number; total: number }): string {
  return `第 ${position.index + 1}/${position.total} 步：${STEP_LABEL[step]}`;
}

export function errorBlock(errors: readonly string[]): object[] {
  if (errors.length === 0) return [];
  const lines = errors.map((e) => `<font color='red'>✖ ${escapeMd(e)}</font>`);
  return [md(`**请修改后再点「下一步」：**\n${lines.join('\n')}`)];
}

export function bannerBlock(banner: string | undefined): object[] {
  return banner ? [md(`<font color='green'>${escapeMd(banner)}</font>`)] : [];
}

/** A form submit button: every field of the form travels with the click. */
export function submitButton(
  label: string,
  name: string,
  value: ActionValue,
  type: 'default' | 'primary' = 'default',
) {
  return { ...button(label, value, { type, name }), form_action_type: 'submit' };
}

export function moveValue(ref: IntakeCaseRef, step: IntakeStep, go: StepMove): ActionValue<'intake.step'> {
  return { a: INTAKE_ACTIONS.step, case: ref.caseId, step, go };
}

/** 下一步 / 上一步 / 修改 / 保存草稿 as form submits, so what was typed is kept whichever is clicked. */
export function formButtons(ref: IntakeCaseRef, step: IntakeStep, first: boolean): object {
  const buttons = [
    submitButton('下一步', 'next', moveValue(ref, step, 'next'), 'primary'),
    ...(first ? [] : [submitButton('上一步', 'back', moveValue(ref, step, 'back'))]),
    submitButton('修改', 'overview', moveValue(ref, step, 'overview')),
    submitButton('保存草稿', 'pause', moveValue(ref, step, 'pause')),
  ];
  return buttonRow(buttons);
}

/** The same four moves for cards without a form (evidence). */
export function plainMoveButtons(ref: IntakeCaseRef, step: IntakeStep, first: boolean): object[] {
  return [
    button('下一步', moveValue(ref, step, 'next'), { type: 'primary' }),
    ...(first ? [] : [button('上一步', moveValue(ref, step, 'back'))]),
    button('修改', moveValue(ref, step, 'overview')),
    button('保存草稿', moveValue(ref, step, 'pause')),
  ];
}

export function cancelButton(ref: IntakeCaseRef) {
  const individual = ref.origin === 'individual';
  return button(
    individual ? '取消申请' : '退出填写',
    { a: INTAKE_ACTIONS.cancel, case: ref.caseId },
    {
      type: individual ? 'danger' : 'default',
      confirm: individual
        ? {
            title: '确定取消本次申请？',
            text: '取消后这份草稿将撤回，不会提交。如只是暂时离开，请点「保存草稿」。',
          }
        : { title: '确定退出填写？', text: '已填写的内容都已保存，可随时点「补充事实」继续。' },
    },
  );
}

export function selectOptions(list: readonly { id: string; name: string }[]) {
  return list.map((x) => ({ text: plain(x.name), value: x.id }));
}

export const YES_NO = [
  { text: plain('是'), value: 'yes' },
  { text: plain('否'), value: 'no' },
];

export function yesNo(v: boolean | null | undefined): string | undefined {
  return v === true ? 'yes' : v === false ? 'no' : undefined;
}
