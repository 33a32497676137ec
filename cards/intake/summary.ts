// The last step: everything the user gave, the engine's preliminary assessment with citations, what is missing.
import type { CaseFacts } from '../../src/cases/types';
import type { Assessment, Policy } from '../../src/policy';
import { button, buttonRow, card, clip, escapeMd, hr, md } from '../common';
import { attachmentLabel } from './evidence';
import { INTAKE_ACTIONS, type IntakeStep, stepsFor } from './model';
import {
  bannerBlock,
  cancelButton,
  errorBlock,
  type IntakeCaseRef,
  intakeSubtitle,
  intakeTitle,
  moveValue,
} from './parts';

export interface SummaryCardData extends IntakeCaseRef {
  facts: CaseFacts;
  policy: Policy;
  assessment: Assessment;
  /** Chinese names of what is still needed before submitting. */
  missing: string[];
  errors?: string[];
  banner?: string;
}

const SHOWN_CHARS = 300;
const EVIDENCE_SHOWN = 20;

const nameOf = (list: readonly { id: string; name: string }[], id: string | null) =>
  id === null ? '（未填写）' : (list.find((x) => x.id === id)?.name ?? id);
const yn = (v: boolean | null) => (v === null ? '（未选择）' : v ? '是' : '否');
const text = (s: string) =>
  s.trim() === '' ? '（未填写）' : escapeMd(clip(s, SHOWN_CHARS, (total) => `（共 ${total} 字）`));

function section(d: SummaryCardData, step: IntakeStep, content: string): object {
  return {
    tag: 'column_set',
    flex_mode: 'none',
    columns: [
      { tag: 'column', width: 'weighted', weight: 5, elements: [md(content)] },
      {
        tag: 'column',
        width: 'auto',
        vertical_align: 'top',
        elements: [button('修改', { a: INTAKE_ACTIONS.goto, case: d.caseId, step }, { type: 'text' })],
      },
    ],
  };
}

export function intakeSummaryCard(d: SummaryCardData) {
  const { facts: f, policy, assessment: a } = d;
  const steps = stepsFor(f, policy);
  const chosen = policy.items.filter((i) => f.items.includes(i.id));
  const sections: object[] = [
    section(
      d,
      'basics',
      [
        `**事项名称**：${f.title ? escapeMd(f.title) : '（未填写）'}`,
        `**发生日期**：${f.occurredOn ?? '（未填写）'}`,
        `**执法环节**：${nameOf(policy.enforcementStages, f.stage)}`,
        `**科室**：${nameOf(policy.units, f.unitId)}`,
      ].join('\n'),
    ),
    section(d, 'story', `**事情经过**：${text(f.story)}`),
    section(
      d,
      'loss',
      `**损失和影响**：${text(f.lossAndImpact)}\n**重大损失**：${yn(f.majorLoss)}　**严重不良影响**：${yn(f.seriousImpact)}`,
    ),
    section(d, 'remedies', `**补救措施**：${text(f.remedies)}`),
    section(
      d,
      'items',
      `**适用情形**：${chosen.length === 0 ? '（未选择）' : ''}\n${chosen.map((i) => `· ${i.citation}：${escapeMd(i.hint)}`).join('\n')}`,
    ),
  ];
  if (steps.includes('conditions')) {
    const lines = policy.conditions.map((c) => {
      const v = f.conditions[c.id];
      return `· ${c.citation} ${escapeMd(c.wording)}：${v === undefined ? '（未确认）' : v ? '符合' : '不符合'}`;
    });
    sections.push(section(d, 'conditions', `**第十条三项条件**：\n${lines.join('\n')}`));
  }
  const shown = f.evidence.slice(0, EVIDENCE_SHOWN);
  sections.push(
    section(
      d,
      'evidence',
      `**证据材料**：${f.evidence.length === 0 ? '（暂无）' : `${f.evidence.length} 份`}\n${shown.map(attachmentLabel).join('\n')}${
        f.evidence.length > shown.length ? `\n等 ${f.evidence.length} 份` : ''
      }`,
    ),
  );

  const assessment = [
    `**初步评估**：${escapeMd(a.summary)}`,
    ...a.reasons.map((r) => `· ${escapeMd(r)}`),
    ...(a.citations.length > 0 ? [`**依据**：${a.citations.join('、')}`] : []),
  ].join('\n');
  const missing = [...d.missing, ...a.missing.filter((m) => !d.missing.some((x) => m.includes(x)))];
  const missingBlock =
    missing.length > 0
      ? md(`<font color='orange'>**还需补充**：</font>\n${missing.map((m) => `· ${escapeMd(m)}`).join('\n')}`)
      : md("<font color='green'>必填内容已齐全，可以提交。</font>");

  const individual = d.origin === 'individual';
  const finish = individual
    ? button(
        '提交申请',
        { a: INTAKE_ACTIONS.submit, case: d.caseId },
        {
          type: 'primary',
          confirm: {
            title: '确认提交容错认定申请？',
            text: '提交后将生成案件编号，由经办人受理，党组集体研究认定（第十三条）。受理前可以撤回。',
          },
        },
      )
    : button('完成补充', { a: INTAKE_ACTIONS.complete, case: d.caseId }, { type: 'primary' });
  return card({
    title: `${intakeTitle(d)}　核对${individual ? '并提交' : '并完成'}`,
    subtitle: intakeSubtitle(d),
    template: (d.errors?.length ?? 0) > 0 ? 'orange' : 'turquoise',
    summary: `${intakeTitle(d)}：核对内容`,
    elements: [
      ...bannerBlock(d.banner),
      ...errorBlock(d.errors ?? []),
      md('请核对以下内容，点「修改」可回到对应步骤。'),
      ...sections,
      hr(),
      md(assessment),
      md("<font color='grey'>本评估由系统依据制度条文给出，仅供参考；是否容错由党组集体研究认定。</font>"),
      missingBlock,
      hr(),
      buttonRow([
        finish,
        button('上一步', moveValue(d, 'summary', 'back')),
        button('保存草稿', moveValue(d, 'summary', 'pause')),
        cancelButton(d),
      ]),
    ],
  });
}
