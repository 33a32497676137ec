// Cards a reporter sees: how to report, the form, the query code (shown once) and the answer to 查询.
import type { ActionValue } from './actions';
import { button, buttonRow, callback, card, escapeMd, hr, md, plain } from './common';

export type ReportMode = 'real' | 'anon';

export const REPORT_INTAKE_ACTIONS = {
  mode: 'report.mode',
  file: 'report.file',
  find: 'report.find',
  cancel: 'report.cancel',
} as const;

/** The longest name 查找 accepts. */
export const LOOKUP_MAX_LENGTH = 20;

const ART18 = '依据《行政执法尽职免责和容错纠错制度》第十八条';

/** Why attachments are refused in anonymous mode: a file can only be fetched through the message that carries it. */
export const ANON_NO_FILES =
  '匿名举报不接收文件或图片：附件只能通过您聊天中的那条消息取回，保存它就会留下指向您的线索。请在「举报内容」中文字描述相关材料（名称、时间、存放位置等），或改为实名举报后再发送附件。';

/** Step 1: real name or anonymous, with what each means. */
export function reportChooseCard(p: { token: string; resumed?: boolean }) {
  const v = (m: ReportMode): ActionValue<'report.mode'> => ({ a: REPORT_INTAKE_ACTIONS.mode, d: p.token, m });
  return card({
    title: '信访举报',
    subtitle: ART18,
    template: 'indigo',
    summary: '信访举报：请选择实名或匿名',
    elements: [
      md(
        [
          ...(p.resumed ? ['你之前有一份尚未提交的举报，已重新开始，请再次选择举报方式。', ''] : []),
          '可以反映执法人员在行政执法中的问题。举报只送党组书记和经办人，被举报人依规回避，看不到举报。',
          '',
          '**实名举报**：可以发送文件、图片作为附件；办理结果会直接私信告诉你。',
          '**匿名举报**：系统不记录你的任何身份信息；提交后你会收到一个只显示一次的「查询码」，任何人凭查询码都可以查询办理结果；结果会由党组书记在一定范围内说明。匿名举报不接收附件。',
        ].join('\n'),
      ),
      hr(),
      buttonRow([
        button('实名举报', v('real'), { type: 'primary' }),
        button('匿名举报', v('anon')),
        button('取消', { a: REPORT_INTAKE_ACTIONS.cancel, d: p.token }),
      ]),
    ],
  });
}

export interface ReportFormValues {
  accused: string[];
  matter: string;
  content: string;
  /** The name typed to look a colleague up (查找); not part of the report. */
  lookup?: string;
}

export interface ReportFormData {
  token: string;
  mode: ReportMode;
  /** Open ids the person picker offers (the roster, anyone mentioned in 「举报 @某人」 or found by 查找). */
  people: string[];
  values?: Partial<ReportFormValues>;
  /** Names of files attached so far (real-name only). */
  files: string[];
  error?: string;
  /** What the last 查找 found, shown above the form. */
  notice?: string;
  limits: { titleMaxLength: number; textMaxLength: number };
}

/** Step 2: the form; nothing typed is kept by the bot until it is submitted. */
export function reportFormCard(d: ReportFormData) {
  const anon = d.mode === 'anon';
  const v = d.values ?? {};
  const intro = anon
    ? ['**匿名举报**：系统不记录你的身份；提交后会收到只显示一次的查询码，请妥善保存。', ANON_NO_FILES]
    : [
        '**实名举报**：办理结果会私信告诉你。',
        `**附件**：直接在本对话中发送文件或图片即可附上${d.files.length ? `，已收到 ${d.files.length} 份：${d.files.map(escapeMd).join('、')}` : '（可不附）'}。`,
      ];
  const elements: object[] = [md(intro.join('\n'))];
  if (d.error) elements.push(md(`<font color='red'>**请修改**：${escapeMd(d.error)}</font>`));
  if (d.notice) elements.push(md(escapeMd(d.notice)));
  elements.push({
    tag: 'form',
    name: 'report_form',
    elements: [
      // No field is `required`: the client would then block 查找 until everything is filled; the bot checks on submit.
      {
        tag: 'multi_select_person',
        name: 'accused',
        placeholder: plain('选择被举报的执法人员（可多选）'),
        options: d.people.map((value) => ({ value })),
        ...(v.accused?.length ? { selected_values: v.accused } : {}),
      },
      {
        tag: 'input',
        name: 'accused_name',
        max_length: LOOKUP_MAX_LENGTH,
        label: plain('被举报人姓名'),
        placeholder: plain('列表中没有时，输入姓名（或其中几个字）后点「查找」'),
        ...(v.lookup ? { default_value: v.lookup } : {}),
      },
      {
        tag: 'button',
        name: 'report_find',
        form_action_type: 'submit',
        text: plain('查找'),
        behaviors: callback({ a: REPORT_INTAKE_ACTIONS.find, d: d.token, m: d.mode }),
      },
      {
        tag: 'input',
        name: 'matter',
        max_length: d.limits.titleMaxLength,
        label: plain('举报事项'),
        placeholder: plain('一句话概括，例如：检查中违规收取费用'),
        ...(v.matter ? { default_value: v.matter } : {}),
      },
      {
        tag: 'input',
        name: 'content',
        input_type: 'multiline_text',
        rows: 6,
        max_length: d.limits.textMaxLength,
        label: plain('举报内容'),
        placeholder: plain('时间、地点、经过，以及可以核实的线索'),
        ...(v.content ? { default_value: v.content } : {}),
      },
      {
        tag: 'button',
        name: 'report_submit',
        form_action_type: 'submit',
        type: 'primary',
        text: plain(anon ? '提交匿名举报' : '提交实名举报'),
        // No pop-up here: the form is checked first, then the answer asks to confirm (reportReviewCard).
        behaviors: callback({ a: REPORT_INTAKE_ACTIONS.file, d: d.token, m: d.mode }),
      },
    ],
  });
  elements.push(buttonRow([button('取消举报', { a: REPORT_INTAKE_ACTIONS.cancel, d: d.token, m: d.mode })]));
  return card({
    title: anon ? '匿名举报' : '实名举报',
    subtitle: ART18,
    template: 'indigo',
    summary: anon ? '匿名举报表单' : '实名举报表单',
    elements,
  });
}

/**
 * The checked report before it is filed: what will be recorded, with 确认提交 (the form as filled in travels in
 * the button, so nothing typed is kept by the bot before filing) and 返回修改 (the form again, as filled in).
 */
export function reportReviewCard(d: {
  token: string;
  mode: ReportMode;
  values: ReportFormValues;
  accusedNames: string[];
  files: string[];
}) {
  const anon = d.mode === 'anon';
  const form = { accused: d.values.accused, matter: d.values.matter, content: d.values.content };
  const value = (step: 'confirm' | 'edit'): ActionValue<'report.file'> => ({
    a: REPORT_INTAKE_ACTIONS.file,
    d: d.token,
    m: d.mode,
    step,
    form,
  });
  return card({
    title: anon ? '确认提交匿名举报' : '确认提交实名举报',
    subtitle: ART18,
    template: 'indigo',
    summary: anon ? '请确认提交匿名举报' : '请确认提交实名举报',
    elements: [
      md(
        [
          `**被举报人**：${d.accusedNames.map(escapeMd).join('、')}`,
          `**举报事项**：${escapeMd(d.values.matter.trim())}`,
          `**举报内容**：${escapeMd(d.values.content.trim())}`,
          ...(anon ? [] : [`**附件**：${d.files.length ? d.files.map(escapeMd).join('、') : '无'}`]),
        ].join('\n'),
      ),
      hr(),
      md(
        anon
          ? '请核对以上内容，提交后不能修改。确认后查询码会显示在这张卡片上，只显示一次，请立即记下。'
          : '请核对以上内容，提交后不能修改。办理结果会私信告诉你。',
      ),
      buttonRow([
        button('确认提交', value('confirm'), { type: 'primary' }),
        button('返回修改', value('edit')),
      ]),
    ],
  });
}

/** Replaces a real-name reporter's form once the report is filed. */
export function reportFiledCard(p: { number: string; matter: string; accused: string[]; files: string[] }) {
  return card({
    title: '举报已提交',
    subtitle: p.number,
    template: 'green',
    summary: `举报已提交：${p.number}`,
    elements: [
      md(
        [
          `**举报编号**：${p.number}`,
          `**举报事项**：${escapeMd(p.matter)}`,
          `**被举报人**：${p.accused.map(escapeMd).join('、')}`,
          `**附件**：${p.files.length ? p.files.map(escapeMd).join('、') : '无'}`,
          '',
          '举报已送党组书记和经办人办理，办理结果会私信告诉你。',
        ].join('\n'),
      ),
    ],
  });
}

/** The only place the query code is ever shown; the bot keeps just its digest. */
export function queryCodeCard(p: { number: string; code: string }) {
  return card({
    title: '匿名举报已提交',
    subtitle: p.number,
    template: 'green',
    summary: '匿名举报已提交，请保存查询码',
    elements: [
      md(
        [
          `**举报编号**：${p.number}`,
          `**查询码**：**${p.code}**`,
          '',
          '请现在就记下或截图保存查询码：它只显示这一次，系统只保存它的摘要，丢失后无法找回。',
          `查询办理结果：发送「查询 ${p.code}」。任何人凭查询码都可以查询，请勿告诉他人。`,
          '系统没有记录你的身份。举报已经提交，无需再次提交。',
        ].join('\n'),
      ),
    ],
  });
}

export interface QueryAnswer {
  number: string;
  status: string;
  outcome: string | null;
  explanation: string | null;
}

/** The answer to 「查询 <查询码>」: the same card for a wrong code and an unknown one. */
export function reportQueryCard(found: QueryAnswer | null) {
  if (!found) {
    return card({
      title: '查询匿名举报',
      template: 'orange',
      summary: '没有查到对应的举报',
      elements: [
        md(
          [
            '没有查到与这个查询码对应的匿名举报。',
            '请核对查询码（不区分大小写，可含空格），再发送「查询 查询码」。',
            '查询案件请发送「查询 容错〔2026〕7号」。',
          ].join('\n'),
        ),
      ],
    });
  }
  const lines = [
    `**举报编号**：${found.number}`,
    `**办理状态**：${found.status}`,
    `**核查结果**：${found.outcome ?? '尚未认定'}`,
  ];
  if (found.explanation) lines.push(`**情况说明**：${escapeMd(found.explanation)}`);
  lines.push('', '办理结果依据第十八条在一定范围内说明；有新进展后可再次查询。');
  return card({
    title: '匿名举报办理情况',
    subtitle: found.number,
    template: found.outcome ? 'green' : 'blue',
    summary: `举报办理情况：${found.status}`,
    elements: [md(lines.join('\n'))],
  });
}

/** A short note to the reporter during the intake (file refused, file added, what to do next). */
export function reportNoteCard(p: {
  title: string;
  lines: string[];
  template?: 'indigo' | 'orange' | 'green' | 'grey';
}) {
  return card({
    title: p.title,
    template: p.template ?? 'indigo',
    summary: p.title,
    elements: [md(p.lines.join('\n'))],
  });
}
