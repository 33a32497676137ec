// One intake step as a form card; what the user typed (accepted or not) comes back as the initial values.
import type { CaseFacts } from '../../src/cases/types';
import type { Policy } from '../../src/policy';
import { buttonRow, card, clip, escapeMd, hr, md, plain } from '../common';
import type { FormStep } from './model';
import {
  bannerBlock,
  cancelButton,
  errorBlock,
  formButtons,
  INPUT_MAX_CHARS,
  type IntakeCaseRef,
  intakeSubtitle,
  intakeTitle,
  selectOptions,
  stepHeading,
  YES_NO,
  yesNo,
} from './parts';

export interface StepCardData extends IntakeCaseRef {
  step: FormStep;
  position: { index: number; total: number };
  facts: CaseFacts;
  /** Raw values typed in this step that were not accepted, keyed by field name; they win over facts. */
  typed: Record<string, unknown>;
  errors: string[];
  banner?: string;
  policy: Policy;
  /** Business date today, the latest allowed 发生日期. */
  today: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] | undefined =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? [v]
      : undefined;

function textInput(
  name: string,
  value: string,
  opts: { multiline?: boolean; placeholder: string },
): object[] {
  const fits = value.length <= INPUT_MAX_CHARS;
  const out: object[] = [];
  // Longer text typed in the chat is kept and shown; the box is then for a replacement.
  if (!fits) out.push(md(`已保存的内容（${value.length} 字）：\n${escapeMd(clip(value, 300))}`));
  out.push({
    tag: 'input',
    name,
    width: 'fill',
    placeholder: plain(fits ? opts.placeholder : '如需修改，请在此重新输入，或直接在对话框中发送'),
    ...(opts.multiline ? { input_type: 'multiline_text', rows: 6, auto_resize: true } : {}),
    ...(fits && value !== '' ? { default_value: value } : {}),
  });
  return out;
}

function select(name: string, placeholder: string, options: object[], initial: string | undefined): object {
  return {
    tag: 'select_static',
    name,
    width: 'fill',
    placeholder: plain(placeholder),
    options,
    ...(initial !== undefined ? { initial_option: initial } : {}),
  };
}

function label(text: string): object {
  return md(`**${text}**`);
}

function basics(d: StepCardData): object[] {
  const { facts, typed, policy } = d;
  const typedDate = str(typed.occurredOn)?.match(/^\d{4}-\d{2}-\d{2}/)?.[0];
  const date = typedDate ?? facts.occurredOn ?? undefined;
  return [
    label(`事项名称（不超过 ${policy.limits.titleMaxLength} 字）`),
    ...textInput('title', str(typed.title) ?? facts.title, {
      placeholder: '例如：夜间检查时临机决定暂扣设备',
    }),
    label('发生日期（不能晚于今天）'),
    {
      tag: 'date_picker',
      name: 'occurredOn',
      width: 'fill',
      placeholder: plain('请选择日期'),
      ...(date ? { initial_date: date } : {}),
    },
    label('执法环节'),
    select(
      'stage',
      '请选择执法环节',
      selectOptions(policy.enforcementStages),
      str(typed.stage) ?? facts.stage ?? undefined,
    ),
    label('所在科室'),
    select(
      'unitId',
      '请选择科室',
      selectOptions(policy.units),
      str(typed.unitId) ?? facts.unitId ?? undefined,
    ),
  ];
}

function longText(d: StepCardData, name: 'story' | 'lossAndImpact' | 'remedies', prompt: string): object[] {
  const value = str(d.typed[name]) ?? d.facts[name];
  return [
    md(prompt),
    md(
      `<font color='grey'>可以在下面的输入框填写后点「下一步」，也可以直接在对话框中发送一条消息（不超过 ${d.policy.limits.textMaxLength} 字）。</font>`,
    ),
    ...textInput(name, value, { multiline: true, placeholder: '请在此填写' }),
  ];
}

function loss(d: StepCardData): object[] {
  const { facts, typed } = d;
  return [
    ...longText(
      d,
      'lossAndImpact',
      '**损失和影响**：造成了哪些损失（经济、当事人权益等）和社会影响？没有损失也请说明。',
    ),
    label('是否造成重大损失'),
    select('majorLoss', '请选择', YES_NO, str(typed.majorLoss) ?? yesNo(facts.majorLoss)),
    label('是否造成严重不良影响'),
    select('seriousImpact', '请选择', YES_NO, str(typed.seriousImpact) ?? yesNo(facts.seriousImpact)),
  ];
}

function items(d: StepCardData): object[] {
  const { policy, facts, typed } = d;
  const out: object[] = [
    md(
      '请选择与本事项相符的情形（可多选，可跨条选择）。系统会据此给出初步评估，最终由党组认定（第十三条）。',
    ),
  ];
  for (const article of policy.articles) {
    const list = policy.items.filter((i) => i.article === article.article);
    if (list.length === 0) continue;
    const name = `items${article.article}`;
    const chosen = strs(typed[name]) ?? facts.items.filter((id) => list.some((i) => i.id === id));
    const hints = list
      .map((i) => `${list.length > 1 ? `（${ordinalOf(i.index)}）` : ''}${escapeMd(i.hint)}`)
      .join('\n');
    out.push(
      hr(),
      md(
        `**${article.citation}** → ${escapeMd(article.outcomeLabel)}\n<font color='grey'>${escapeMd(article.lead)}</font>\n${hints}`,
      ),
      {
        tag: 'multi_select_static',
        name,
        width: 'fill',
        placeholder: plain(`选择${article.citation}的情形（不适用可不选）`),
        options: list.map((i) => ({ text: plain(optionText(i)), value: i.id })),
        ...(chosen.length > 0 ? { selected_values: chosen } : {}),
      },
    );
  }
  return out;
}

const ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
function ordinalOf(index: number): string {
  return ORDINALS[index - 1] ?? String(index);
}

function optionText(i: { index: number; hint: string; citation: string }): string {
  return `${i.citation}：${clip(i.hint, 24)}`;
}

function conditions(d: StepCardData): object[] {
  const { policy, facts, typed } = d;
  const out: object[] = [
    md(
      `你选择了第十条的情形。**${policy.conditionsLead.citation}**：${escapeMd(policy.conditionsLead.text)}。\n同时符合下列三项条件的，可以容错免责；否则可从轻或减轻。请逐项确认：`,
    ),
  ];
  policy.conditions.forEach((c, i) => {
    const name = `c${i + 1}`;
    const answered = facts.conditions[c.id];
    // 没有重大损失和严重不良影响 follows from the loss step unless the user said otherwise.
    const inferred =
      answered === undefined && c.id === '10.c2' && facts.majorLoss === false && facts.seriousImpact === false
        ? 'yes'
        : undefined;
    out.push(
      md(`**${c.citation}**　${escapeMd(c.wording)}\n<font color='grey'>${escapeMd(c.hint)}</font>`),
      select(
        name,
        '请选择',
        [
          { text: plain('符合'), value: 'yes' },
          { text: plain('不符合'), value: 'no' },
        ],
        str(typed[name]) ?? yesNo(answered) ?? inferred,
      ),
    );
  });
  return out;
}

function fieldsOf(d: StepCardData): object[] {
  switch (d.step) {
    case 'basics':
      return basics(d);
    case 'story':
      return longText(d, 'story', '**事情经过**：请按时间顺序写清楚当时的情况、你做了什么、为什么这样做。');
    case 'loss':
      return loss(d);
    case 'remedies':
      return longText(
        d,
        'remedies',
        '**补救措施**：事后采取了哪些措施消除影响、挽回损失？效果如何？尚未采取也请说明。',
      );
    case 'items':
      return items(d);
    case 'conditions':
      return conditions(d);
  }
}

/** The card for one form step of the intake. */
export function intakeStepCard(d: StepCardData) {
  const first = d.position.index === 0;
  const form = {
    tag: 'form',
    name: `intake_${d.step}`,
    elements: [...fieldsOf(d), hr(), formButtons(d, d.step, first)],
  };
  return card({
    title: `${intakeTitle(d)}　${stepHeading(d.step, d.position)}`,
    subtitle: intakeSubtitle(d),
    template: d.errors.length > 0 ? 'orange' : 'blue',
    summary: `${intakeTitle(d)}：${stepHeading(d.step, d.position)}`,
    elements: [...bannerBlock(d.banner), ...errorBlock(d.errors), form, buttonRow([cancelButton(d)])],
  });
}
