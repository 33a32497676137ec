// The report as its handlers see it (secretary, clerks, assigned investigators), and the notices it causes.

import type { ReportStatus } from '../src/cases/types';
import type { ActionValue } from './actions';
import { shownText } from './case-detail';
import {
  button,
  buttonRow,
  callback,
  card,
  clip,
  escapeMd,
  hr,
  INPUT_MAX_LENGTH,
  md,
  plain,
  type Template,
  tagColor,
} from './common';

export const REPORT_ACTIONS = {
  open: 'report.open',
  view: 'report.view',
  form: 'report.form',
  assign: 'report.assign',
  findings: 'report.findings',
  outcome: 'report.outcome',
  feedback: 'report.feedback',
  clear: 'report.clear',
  publish: 'report.publish',
  consent: 'report.consent',
  convert: 'report.convert',
  close: 'report.close',
} as const;

export type ReportCardMode = 'view' | 'assign' | 'findings' | 'outcome' | 'feedback' | 'publish' | 'convert';

export interface Person {
  openId: string;
  name: string;
}

export interface ReportCardData {
  reportId: string;
  number: string;
  status: ReportStatus;
  statusLabel: string;
  realName: boolean;
  filedAt: string;
  accused: string[];
  matter: string;
  content: string;
  attachments: string[];
  investigators: string[];
  findings: { text: string; by: string; at: string } | null;
  outcome: { label: string; note: string; caseNumber: string | null; by: string; at: string } | null;
  feedback: { text: string; where: string; at: string } | null;
  clearings: { officer: string; consent: string; published: string | null }[];
  converted: { number: string; subject: string }[];
  mode: ReportCardMode;
  /** What the viewer may do from the card (the core decides again on every click). */
  can: {
    assign: boolean;
    findings: boolean;
    outcome: boolean;
    feedback: boolean;
    close: boolean;
    convert: boolean;
  };
  /** Accused officers whose consent to a clearing notice may be asked (secretary, outcome false/unfounded). */
  clear: Person[];
  /** Officers who agreed and whose clearing notice is not yet published. */
  publish: Person[];
  /** The officer of the publish form. */
  publishFor?: Person;
  options: {
    investigators: Person[];
    outcomes: { id: string; label: string }[];
    chats: { chatId: string; label: string }[];
    cases: { caseId: string; label: string }[];
    convertible: Person[];
  };
  values?: Record<string, string>;
  error?: string;
}

const TEMPLATE: Record<ReportStatus, Template> = {
  filed: 'orange',
  investigating: 'blue',
  concluded: 'green',
  closed: 'grey',
};

const LIST_MAX = 20;
/** Names and file names, escaped: each is typed by someone. */
const list = (xs: string[]) => {
  const shown = xs.slice(0, LIST_MAX).map(escapeMd).join('、');
  return xs.length > LIST_MAX ? `${shown} 等 ${xs.length} 项` : shown;
};

function submit(label: string, value: ActionValue) {
  return {
    tag: 'button',
    name: `${value.a.replace('.', '_')}_submit`,
    form_action_type: 'submit',
    type: 'primary',
    text: plain(label),
    behaviors: callback(value),
  };
}

const cancel = (reportId: string) => buttonRow([button('取消', { a: REPORT_ACTIONS.view, r: reportId })]);

function select(name: string, label: string, options: { text: string; value: string }[], value?: string) {
  return {
    tag: 'select_static',
    name,
    required: true,
    placeholder: plain(label),
    options: options.map((o) => ({ text: plain(o.text), value: o.value })),
    ...(value && options.some((o) => o.value === value) ? { initial_option: value } : {}),
  };
}

function textArea(name: string, label: string, max: number, value?: string, required = true) {
  return {
    tag: 'input',
    name,
    required,
    input_type: 'multiline_text',
    rows: 4,
    max_length: max,
    label: plain(label),
    ...(value ? { default_value: value } : {}),
  };
}

function form(name: string, elements: object[]) {
  return { tag: 'form', name, elements };
}

function modeElements(d: ReportCardData): object[] {
  const id = d.reportId;
  const v = d.values ?? {};
  switch (d.mode) {
    case 'assign':
      if (d.options.investigators.length === 0) {
        return [
          md(
            '**指派核查**：名册中暂无可指派的核查人员（被举报人依规回避，已指派的不重复列出）。请管理员发送「核查人员 @某人」设置后再指派。',
          ),
          cancel(id),
        ];
      }
      return [
        form('report_assign', [
          md('**指派核查**：被举报人依规回避，不在可选范围内。被指派人会收到这份举报。'),
          select(
            'investigator',
            '核查人员',
            d.options.investigators.map((p) => ({ text: p.name, value: p.openId })),
          ),
          submit('确认指派', { a: REPORT_ACTIONS.assign, r: id }),
        ]),
        cancel(id),
      ];
    case 'findings':
      return [
        form('report_findings', [
          md('**核查意见**：写明核查经过、查明的事实和依据，提交后送党组书记认定。'),
          textArea('text', '核查意见', INPUT_MAX_LENGTH, v.text),
          submit('提交核查意见', { a: REPORT_ACTIONS.findings, r: id }),
        ]),
        cancel(id),
      ];
    case 'outcome':
      return [
        form('report_outcome', [
          md(
            '**认定核查结果**：认定「属于容错免责情形」的，须关联对应的容错案件（可先「转为容错认定」，或填写已有案件编号）。',
          ),
          select(
            'result',
            '选择核查结果',
            d.options.outcomes.map((o) => ({ text: o.label, value: o.id })),
            v.result,
          ),
          textArea('note', '结果说明', INPUT_MAX_LENGTH, v.note, false),
          ...(d.options.cases.length
            ? [
                {
                  tag: 'select_static',
                  name: 'case',
                  placeholder: plain('关联由本举报转办的案件'),
                  options: d.options.cases.map((c) => ({ text: plain(c.label), value: c.caseId })),
                },
              ]
            : []),
          {
            tag: 'input',
            name: 'case_number',
            max_length: 40,
            label: plain('或填写关联案件编号'),
            placeholder: plain('例如：容错〔2026〕7号'),
            ...(v.case_number ? { default_value: v.case_number } : {}),
          },
          submit('确认认定', { a: REPORT_ACTIONS.outcome, r: id }),
        ]),
        cancel(id),
      ];
    case 'feedback': {
      const intro = d.realName
        ? '**反馈结果**：将私信发给实名举报人（第十八条：对实名举报的，应当反馈核查结果）。'
        : '**情况说明**：匿名举报无法直接反馈，请选择一个群，在一定范围内说明核查情况（第十八条）。说明中不要写入可能暴露举报人的内容。';
      if (!d.realName && d.options.chats.length === 0) {
        return [md(`${intro}\n目前没有绑定的群，请管理员先在群里发送「设为公示群」等命令。`), cancel(id)];
      }
      return [
        form('report_feedback', [
          md(intro),
          textArea('text', d.realName ? '反馈内容' : '说明内容', INPUT_MAX_LENGTH, v.text),
          ...(d.realName
            ? []
            : [
                select(
                  'chat',
                  '选择说明情况的群',
                  d.options.chats.map((c) => ({ text: c.label, value: c.chatId })),
                  v.chat,
                ),
              ]),
          submit(d.realName ? '发送反馈' : '发布情况说明', { a: REPORT_ACTIONS.feedback, r: id }),
        ]),
        cancel(id),
      ];
    }
    case 'publish': {
      const who = d.publishFor;
      if (!who) return [cancel(id)];
      if (d.options.chats.length === 0)
        return [md('目前没有绑定的群，请管理员先绑定公示群或科室群。'), cancel(id)];
      return [
        form('report_publish', [
          md(`**发布澄清正名通报**：${escapeMd(who.name)} 同志已同意。请选择发布的群。`),
          select(
            'chat',
            '选择发布的群',
            d.options.chats.map((c) => ({ text: c.label, value: c.chatId })),
            v.chat,
          ),
          submit('发布澄清正名通报', { a: REPORT_ACTIONS.publish, r: id, o: who.openId }),
        ]),
        cancel(id),
      ];
    }
    case 'convert':
      if (d.options.convertible.length === 0) return [md('被举报人都已启动过容错认定。'), cancel(id)];
      return [
        form('report_convert', [
          md(
            '**转为容错认定**：选择一名被举报人作为当事人启动容错认定，案件按正常流程办理；案件只带举报事项，不带举报内容和举报人信息。',
          ),
          select(
            'subject',
            '选择当事人',
            d.options.convertible.map((p) => ({ text: p.name, value: p.openId })),
          ),
          submit('启动容错认定', { a: REPORT_ACTIONS.convert, r: id }),
        ]),
        cancel(id),
      ];
    case 'view':
      return viewButtons(d);
  }
}

function viewButtons(d: ReportCardData): object[] {
  const id = d.reportId;
  const open = (f: ReportCardMode): ActionValue<'report.form'> => ({ a: REPORT_ACTIONS.form, r: id, f });
  const b: object[] = [];
  if (d.can.findings) b.push(button('提交核查意见', open('findings'), { type: 'primary' }));
  if (d.can.assign) b.push(button('指派核查', open('assign')));
  if (d.can.outcome) b.push(button('认定核查结果', open('outcome'), { type: 'primary' }));
  if (d.can.feedback)
    b.push(button(d.realName ? '反馈结果' : '情况说明', open('feedback'), { type: 'primary' }));
  for (const p of d.clear)
    b.push(
      button(
        `澄清正名：${p.name}`,
        { a: REPORT_ACTIONS.clear, r: id, o: p.openId },
        { confirm: { title: '征求本人意见', text: '请本人确认是否同意发布澄清正名通报？' } },
      ),
    );
  for (const p of d.publish)
    b.push(button(`发布澄清：${p.name}`, { a: REPORT_ACTIONS.form, r: id, f: 'publish', o: p.openId }));
  if (d.can.convert) b.push(button('转为容错认定', open('convert')));
  if (d.can.close)
    b.push(
      button(
        '办结',
        { a: REPORT_ACTIONS.close, r: id },
        { confirm: { title: '办结举报', text: '办结后不能再变更。' } },
      ),
    );
  return b.length ? [buttonRow(b)] : [];
}

/** The report card: one copy per handler and investigator, kept up to date as the report moves. */
export function reportCard(d: ReportCardData) {
  const template = TEMPLATE[d.status];
  const head = [
    `**办理状态**：${d.statusLabel}`,
    `**举报方式**：${d.realName ? '实名（结果私信反馈举报人）' : '匿名（系统未记录举报人身份）'}`,
    `**被举报人**：${list(d.accused)}（依规回避）`,
    `**登记时间**：${d.filedAt}`,
  ];
  if (d.investigators.length) head.push(`**核查人员**：${list(d.investigators)}`);
  // A form needs the room: the full text is on the card in view mode, an excerpt beside a form.
  const body = [
    `**举报事项**：${escapeMd(d.matter)}`,
    `**举报内容**：\n${shownText(d.content, d.mode === 'view' ? 2000 : 500)}`,
    `**附件**：${d.attachments.length ? list(d.attachments.map((a) => clip(a, 40))) : '无'}`,
  ];
  const elements: object[] = [md(head.join('\n')), hr(), md(body.join('\n'))];
  const progress: string[] = [];
  if (d.findings)
    progress.push(
      `**核查意见**（${escapeMd(d.findings.by)}，${d.findings.at}）：${shownText(d.findings.text, 600)}`,
    );
  if (d.outcome) {
    progress.push(
      `**核查结果**：${d.outcome.label}${d.outcome.caseNumber ? `（关联案件 ${d.outcome.caseNumber}）` : ''}（${escapeMd(d.outcome.by)}，${d.outcome.at}）`,
    );
    if (d.outcome.note.trim()) progress.push(`**结果说明**：${shownText(d.outcome.note, 400)}`);
  }
  if (d.feedback)
    progress.push(`**反馈**（${d.feedback.where}，${d.feedback.at}）：${shownText(d.feedback.text, 400)}`);
  if (d.clearings.length)
    progress.push(
      `**澄清正名**：${d.clearings.map((c) => `${escapeMd(c.officer)}（${c.consent}${c.published ? `，已在${escapeMd(clip(c.published, 20))}发布` : ''}）`).join('、')}`,
    );
  if (d.converted.length)
    progress.push(
      `**已转容错认定**：${d.converted.map((c) => `${c.number}（${escapeMd(c.subject)}）`).join('、')}`,
    );
  if (progress.length) elements.push(hr(), md(progress.join('\n')));
  if (d.error) elements.push(md(`<font color='red'>**未能办理**：${escapeMd(d.error)}</font>`));
  const acts = modeElements(d);
  if (acts.length) elements.push(hr(), ...acts);
  return card({
    title: '信访举报',
    subtitle: `${d.number}　第十八条`,
    template,
    tags: [{ text: d.statusLabel, color: tagColor(template) }],
    summary: `${d.number}：${d.matter}`,
    elements,
  });
}

/** What someone who may not see a report gets instead of its card. */
export function reportNoAccessCard(reason: string) {
  return card({
    title: '信访举报',
    template: 'grey',
    summary: '无权查看该举报',
    elements: [md(reason)],
  });
}

/** A short notice about a report with a button that opens it in the reader's direct chat. */
export function reportNoticeCard(p: {
  title: string;
  lines: string[];
  reportId?: string;
  template?: Template;
  openLabel?: string;
}) {
  const elements: object[] = [md(p.lines.join('\n'))];
  if (p.reportId)
    elements.push(
      hr(),
      buttonRow([
        button(p.openLabel ?? '查看举报', { a: REPORT_ACTIONS.open, r: p.reportId }, { type: 'primary' }),
      ]),
    );
  return card({ title: p.title, template: p.template ?? 'blue', summary: p.title, elements });
}

/** 澄清正名, step 2: the officer concerned agrees or declines with a button. */
export function clearingConsentCard(p: {
  reportId: string;
  matter: string;
  resultLabel: string;
  answered?: 'agreed' | 'declined';
}) {
  const lines = [
    `经组织核查，反映你的「${p.matter}」问题，核查结果为**${p.resultLabel}**。`,
    '依据第十八条，对受到失实举报的同志，组织可以在一定范围内为你澄清正名。是否同意发布澄清正名通报？',
    '通报不会包含举报人的任何信息。',
  ];
  const elements: object[] = [md(lines.join('\n'))];
  if (p.answered) {
    elements.push(
      hr(),
      md(p.answered === 'agreed' ? '你已**同意**发布。' : '你已**不同意**发布，组织不会发布通报。'),
    );
  } else {
    elements.push(
      hr(),
      buttonRow([
        button('同意发布', { a: REPORT_ACTIONS.consent, r: p.reportId, agree: true }, { type: 'primary' }),
        button('不同意', { a: REPORT_ACTIONS.consent, r: p.reportId, agree: false }),
      ]),
    );
  }
  return card({
    title: '澄清正名征求意见',
    template: 'turquoise',
    summary: '澄清正名征求意见',
    elements,
  });
}

/** The clearing notice posted to the chat the secretary chose. */
export function clearingNoticeCard(p: {
  officer: string;
  matter: string;
  resultLabel: string | null;
  date: string;
}) {
  return card({
    title: '澄清正名通报',
    template: 'turquoise',
    summary: `澄清正名通报：${p.officer}`,
    elements: [
      md(
        [
          `经组织核查，有关反映**${escapeMd(p.officer)}**同志「${escapeMd(p.matter)}」的问题，核查结果为**${p.resultLabel ?? '不属实'}**。`,
          `依据《行政执法尽职免责和容错纠错制度》第十八条，经本人同意，特此为${escapeMd(p.officer)}同志澄清正名。`,
          '',
          `${p.date}`,
        ].join('\n'),
      ),
    ],
  });
}

/** Art. 18: the explanation of an anonymous report's outcome in the chat the secretary chose. */
export function explanationCard(p: { number: string; matter: string; resultLabel: string; text: string }) {
  return card({
    title: '信访举报核查情况说明',
    subtitle: p.number,
    template: 'wathet',
    summary: `信访举报核查情况说明 ${p.number}`,
    elements: [
      md(
        [
          `**举报编号**：${p.number}`,
          `**反映事项**：${escapeMd(p.matter)}`,
          `**核查结果**：${p.resultLabel}`,
          `**情况说明**：${shownText(p.text, 2000)}`,
          '',
          '依据第十八条，对匿名举报的核查情况在一定范围内予以说明。',
        ].join('\n'),
      ),
    ],
  });
}

/** Art. 18: the result sent to a real-name reporter. */
export function feedbackCard(p: { number: string; matter: string; resultLabel: string; text: string }) {
  return card({
    title: '你的举报已有核查结果',
    subtitle: p.number,
    template: 'green',
    summary: `举报核查结果：${p.resultLabel}`,
    elements: [
      md(
        [
          `**举报编号**：${p.number}`,
          `**举报事项**：${escapeMd(p.matter)}`,
          `**核查结果**：${p.resultLabel}`,
          `**反馈内容**：${shownText(p.text, 2000)}`,
          '',
          '依据第十八条向实名举报人反馈。感谢你对行政执法工作的监督。',
        ].join('\n'),
      ),
    ],
  });
}

/** 举报列表: the open reports the reader may see, each with 查看. */
export function reportListCard(
  items: { reportId: string; number: string; matter: string; statusLabel: string }[],
) {
  const shown = items.slice(0, 30);
  const elements: object[] = [
    md(
      items.length === 0
        ? '目前没有你可以办理或查看的举报。举报只送党组书记、经办人和被指派的核查人员，被举报人依规回避。'
        : `共 ${items.length} 件未办结的举报${items.length > shown.length ? `，显示最近 ${shown.length} 件` : ''}。`,
    ),
  ];
  for (const x of shown) {
    elements.push(
      hr(),
      md(`**${x.number}**　${x.statusLabel}\n${shownText(x.matter, 60)}`),
      buttonRow([button('查看', { a: REPORT_ACTIONS.open, r: x.reportId })]),
    );
  }
  return card({ title: '举报列表', template: 'indigo', summary: '举报列表', elements });
}
