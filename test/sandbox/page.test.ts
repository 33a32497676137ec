import { describe, expect, it } from 'vitest';
import type { ActionValue } from '../../cards/actions';
import { buttonRow, card, button as cardButton, escapeMd, hr, md, plain } from '../../cards/common';
import { helpCard } from '../../cards/help';
import { intakeStepCard } from '../../cards/intake/step';
import { taxonomyChart } from '../../cards/stats';
import { emptyFacts } from '../../src/cases/facts';
import { defaultPolicy as policy } from '../../src/policy';
import { cardButtons } from '../../src/sandbox/emulator-cards';
import {
  collectFormValue,
  formFields,
  locateButton,
  renderCard,
  renderMarkdown,
} from '../../src/sandbox/page';

// The emulator renders any callback value, not only the ones the bot's own cards send.
const button = (label: string, value: Record<string, unknown>, opts?: Parameters<typeof cardButton>[2]) =>
  cardButton(label, value as ActionValue, opts);

const PEOPLE = [
  { openId: 'ou_zhao', name: '赵书记' },
  { openId: 'ou_li', name: '李委员' },
];
const EVIL = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;

const TAGS = new Set(
  'div span strong em del code br hr button form label input textarea select option table thead tbody tr th td details summary'.split(
    ' ',
  ),
);
const ATTRS = new Set(
  'class style type value title disabled selected checked rows maxlength placeholder autocomplete open data-value data-name data-url data-submit data-reset data-confirm-title data-confirm-text data-form data-field data-kind data-required'.split(
    ' ',
  ),
);

/** Without a DOM: every tag is one the renderer writes, with only its own attributes (no on…= handlers). */
function assertNoInjectedMarkup(html: string) {
  for (const [tag] of html.matchAll(/<[^>]*>/g)) {
    const name = /^<\/?([a-z]+)/.exec(tag)?.[1];
    expect(TAGS.has(name ?? ''), tag).toBe(true);
    const attrs = tag
      .replace(/="[^"]*"/g, '')
      .replace(/^<\/?[a-z]+/, '')
      .replace(/>$/, '')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    for (const a of attrs) expect(ATTRS.has(a), `${a} in ${tag}`).toBe(true);
  }
}

function attrValues(html: string, name: string): string[] {
  return [...html.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) =>
    m[1]!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
}

const form = (name: string, elements: object[]) => ({ tag: 'form', name, elements });
const submit = (label: string, value: Record<string, unknown>, name = 'submit') => ({
  ...button(label, value, { type: 'primary', name }),
  form_action_type: 'submit',
});

describe('renderCard: card JSON 2.0 → HTML', () => {
  it('header: template colour, title, subtitle and coloured text tags', () => {
    const html = renderCard(
      card({
        title: '容错认定申请',
        subtitle: '容错〔2026〕7号',
        template: 'orange',
        tags: [
          { text: '待受理', color: 'orange' },
          { text: '已认定', color: 'green' },
          { text: '怪色', color: 'url(x)' },
        ],
        elements: [],
      }),
    );
    expect(html).toContain('class="card-h tpl-orange"');
    expect(html).toContain('<div class="card-title">容错认定申请');
    expect(html).toContain('<div class="card-sub">容错〔2026〕7号</div>');
    expect(html).toContain('<span class="tt tt-orange">待受理</span>');
    expect(html).toContain('<span class="tt tt-green">已认定</span>');
    expect(html).toContain('<span class="tt tt-neutral">怪色</span>');
    expect(renderCard({ schema: '2.0', header: { template: 'javascript' } })).toContain('tpl-default');
  });

  it('markdown: bold, line breaks, <font color>, lists, mentions; links are shown, never followed', () => {
    const html = renderMarkdown(
      "**事项**：暂扣设备\n<font color='red'>✖ **请修改**</font>\n- 第一条\n<at id=ou_li></at> 请表决\n[制度全文](https://example.com/x)",
      { people: PEOPLE },
    );
    expect(html).toBe(
      '<strong>事项</strong>：暂扣设备<br><span style="color:#f54a45">✖ <strong>请修改</strong></span><br>' +
        '<span class="md-li">• 第一条</span><br><span class="at">@李委员</span> 请表决<br>' +
        '<span class="link" title="https://example.com/x">制度全文</span>',
    );
    expect(renderMarkdown("<font color='grey'>说明</font>")).toBe('<span style="color:#8f959e">说明</span>');
    // A colour that is not a colour is dropped, not written into a style.
    expect(renderMarkdown("<font color='red;background:url(x)'>x</font>")).not.toContain('style=');
    expect(renderMarkdown("<font color='#12345z'>x</font>")).toBe('<span>x</span>');
  });

  it('markdown shows escaped user text as typed: character references decode to text, not markup', () => {
    const typed = '**不是粗体** <b>也不是标签</b> & 5 < 6';
    const html = renderMarkdown(`申请人写道：${escapeMd(typed)}`);
    expect(html).toBe('申请人写道：**不是粗体** &lt;b&gt;也不是标签&lt;/b&gt; &amp; 5 &lt; 6');
    expect(html).not.toContain('<strong>');
    expect(html).not.toContain('<b>');
  });

  it('user text anywhere in a card cannot inject HTML', () => {
    const html = renderCard(
      card({
        title: EVIL,
        subtitle: EVIL,
        tags: [{ text: EVIL, color: 'red' }],
        elements: [
          md(EVIL),
          md(`**${EVIL}**`),
          { tag: 'div', text: plain(EVIL) },
          button(EVIL, { a: EVIL }, { confirm: { title: EVIL, text: EVIL } }),
          form('f', [
            {
              tag: 'input',
              name: `x"${EVIL}`,
              default_value: EVIL,
              placeholder: plain(EVIL),
              label: plain(EVIL),
            },
            { tag: 'input', name: 'm', input_type: 'multiline_text', default_value: `</textarea>${EVIL}` },
            {
              tag: 'select_static',
              name: 's',
              options: [{ text: plain(EVIL), value: EVIL }],
              initial_option: EVIL,
            },
            { tag: 'multi_select_static', name: 'ms', options: [{ text: plain(EVIL), value: EVIL }] },
            { tag: 'checker', name: 'c', text: plain(EVIL) },
          ]),
          {
            tag: 'chart',
            chart_spec: { type: 'bar', xField: 'k', yField: 'n', data: { values: [{ k: EVIL, n: 1 }] } },
          },
          { tag: 'table', columns: [{ name: 'a', display_name: EVIL }], rows: [{ a: EVIL }] },
          { tag: EVIL },
        ],
      }),
      { people: [{ openId: 'ou_x', name: EVIL }] },
    );
    assertNoInjectedMarkup(html);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The callback value survives the attribute round trip exactly.
    expect(attrValues(html, 'data-value')).toContain(JSON.stringify({ a: EVIL }));
  });

  it('hr and column_set: weighted columns share the row, auto columns keep their size, flow wraps', () => {
    const html = renderCard(
      card({
        title: 't',
        elements: [
          hr(),
          {
            tag: 'column_set',
            columns: [
              { tag: 'column', width: 'weighted', weight: 2, elements: [md('左')] },
              { tag: 'column', width: 'weighted', weight: 1, elements: [md('右')] },
            ],
          },
          buttonRow([button('甲', { a: 1 }), button('乙', { a: 2 })]),
        ],
      }),
    );
    expect(html).toContain('<hr class="c-hr">');
    expect(html).toContain(
      '<div class="cols"><div class="col" style="flex:2 1 0"><div class="md">左</div></div>',
    );
    expect(html).toContain('<div class="col" style="flex:1 1 0"><div class="md">右</div></div>');
    expect(html).toContain('<div class="cols cols-flow"><div class="col" style="flex:0 0 auto"><button');
  });

  it('buttons: type, callback value, name, confirm dialog; no callback means disabled', () => {
    const html = renderCard(
      card({
        title: 't',
        elements: [
          button('受理', { a: 'accept', case: 'c1' }, { type: 'primary' }),
          button(
            '退回',
            { a: 'return' },
            { type: 'danger', confirm: { title: '确定退回？', text: '将退回申请人补充' } },
          ),
          { tag: 'button', text: plain('已处理'), type: 'primary_filled' },
          { ...button('不可点', { a: 'x' }), disabled: true },
        ],
      }),
    );
    expect(html).toContain(
      '<button class="btn btn-primary" type="button" data-value="{&quot;a&quot;:&quot;accept&quot;,&quot;case&quot;:&quot;c1&quot;}">受理</button>',
    );
    expect(html).toContain('class="btn btn-danger" type="button"');
    expect(html).toContain(
      'data-confirm-title="确定退回？" data-confirm-text="将退回申请人补充">退回</button>',
    );
    expect(html).toContain('<button class="btn btn-primary_filled" type="button" disabled>已处理</button>');
    expect(html).toMatch(/data-value="[^"]*&quot;x&quot;[^"]*" disabled>不可点/);
    expect(html).not.toContain('data-submit');
  });

  it('forms: every field kind with its initial value, required mark and limit; submit marks the button', () => {
    const html = renderCard(
      card({
        title: 't',
        elements: [
          form('f', [
            {
              tag: 'input',
              name: 'title',
              required: true,
              max_length: 50,
              label: plain('事项名称'),
              default_value: '暂扣',
            },
            {
              tag: 'input',
              name: 'story',
              input_type: 'multiline_text',
              rows: 5,
              default_value: '第一行\n第二行',
            },
            {
              tag: 'select_static',
              name: 'unit',
              options: [
                { text: plain('执法一科'), value: 'u1' },
                { text: plain('执法二科'), value: 'u2' },
              ],
              initial_option: 'u2',
            },
            {
              tag: 'multi_select_static',
              name: 'items',
              options: [
                { text: plain('第九条（一）'), value: '9.1' },
                { text: plain('第十条（四）'), value: '10.4' },
              ],
              selected_values: ['10.4'],
            },
            { tag: 'date_picker', name: 'occurred', initial_date: '2026-11-20' },
            { tag: 'select_person', name: 'who', initial_option: 'ou_li' },
            { tag: 'checker', name: 'agree', checked: true, text: plain('已阅读第十二条') },
            submit('提交', { a: 'go' }),
            { ...button('重置', { a: 'noop' }), form_action_type: 'reset' },
          ]),
        ],
      }),
      { people: PEOPLE },
    );
    expect(html).toContain('<form class="card-form" data-form="f"');
    expect(html).toContain(
      '<span class="f-label">事项名称<span class="req">*</span></span><input class="f-input" type="text" data-field="title" data-kind="input" data-required="" maxlength="50" value="暂扣">',
    );
    expect(html).toContain(
      '<textarea class="f-input" rows="5" data-field="story" data-kind="input" maxlength="1000">第一行\n第二行</textarea>',
    );
    expect(html).toContain('<option value="u2" selected>执法二科</option>');
    expect(html).toContain('<option value="u1">执法一科</option>');
    expect(html).toContain('<input type="checkbox" value="10.4" checked> 第十条（四）');
    expect(html).toContain('<input type="checkbox" value="9.1"> 第九条（一）');
    expect(html).toContain('type="date" data-field="occurred" data-kind="date_picker" value="2026-11-20"');
    expect(html).toContain('<option value="ou_li" selected>李委员</option><');
    expect(html).toContain('<option value="ou_zhao">赵书记</option>');
    expect(html).toContain('data-field="agree" data-kind="checker" checked>');
    expect(html).toMatch(/data-name="submit" data-submit="">提交<\/button>/);
    expect(html).toMatch(/data-reset="">重置<\/button>/);
  });

  it('fields outside a form are shown but cannot be changed', () => {
    const html = renderCard(card({ title: 't', elements: [{ tag: 'input', name: 'x' }] }));
    expect(html).toContain('data-field="x" data-kind="input" disabled');
  });

  it('chart as bars scaled to the largest value; table; unknown components say so', () => {
    const html = renderCard(
      card({
        title: '统计',
        elements: [
          {
            tag: 'chart',
            chart_spec: {
              type: 'bar',
              title: { text: '易错情形' },
              xField: 'category',
              yField: 'count',
              data: {
                values: [
                  { category: '程序', count: 4 },
                  { category: '证据', count: 2 },
                ],
              },
            },
          },
          {
            tag: 'chart',
            chart_spec: {
              type: 'pie',
              categoryField: 'k',
              valueField: 'v',
              data: [
                {
                  id: 'd',
                  values: [
                    { k: '甲', v: 1 },
                    { k: '乙', v: 3 },
                  ],
                },
              ],
            },
          },
          { tag: 'table', columns: [{ name: 'n', display_name: '编号' }], rows: [{ n: '容错〔2026〕1号' }] },
          { tag: 'audio' },
        ],
      }),
    );
    expect(html).toContain('<div class="chart-title">易错情形</div>');
    expect(html).toMatch(
      /<span class="bar-label"[^>]*>程序<\/span><span class="bar"><span class="seg" style="width:100%;[^"]*"[^>]*>4<\/span><\/span><span class="bar-n">4<\/span>/,
    );
    expect(html).toMatch(
      /<span class="bar-label"[^>]*>证据<\/span><span class="bar"><span class="seg" style="width:50%;/,
    );
    expect(html).toContain('<span class="bar-n">3（75%）</span>');
    expect(html).toContain('<th>编号</th></tr></thead><tbody><tr><td>容错〔2026〕1号</td>');
    expect(html).toContain('暂不支持显示的卡片组件：audio');
  });

  it('a horizontal stacked chart (the 统计 card) reads as Feishu draws it: categories down, counts across, a legend', () => {
    const chart = taxonomyChart('错误类别', [
      { id: 'procedure', name: '程序不规范', errors: 2, tolerated: 1, pending: 0 },
      { id: 'evidence', name: '证据不足', errors: 0, tolerated: 0, pending: 1 },
      { id: 'none', name: '适用法律错误', errors: 0, tolerated: 0, pending: 0 },
    ]);
    const html = renderCard(card({ title: '统计', elements: [chart] }));
    const rows = [...html.matchAll(/<div class="bar-row">(.*?)<\/div>/g)].map((m) => m[1]!);
    // One row per category that has cases, named by the category alone, largest first.
    expect(rows.map((r) => r.match(/<span class="bar-label"[^>]*>([^<]*)</)?.[1])).toEqual([
      '程序不规范',
      '证据不足',
    ]);
    expect(rows[0]).toMatch(/width:66\.6+\d*%;background:#f54a45[^>]*>2</);
    expect(rows[0]).toMatch(/width:33\.3+\d*%;background:#34c724[^>]*>1</);
    expect(rows[0]).toContain('<span class="bar-n">3</span>');
    expect(rows[1]).toMatch(/background:#8f959e[^>]*>1</);
    expect(html).not.toMatch(/bar-label[^>]*>\d+ · /);
    expect(html).toContain('class="legend"');
    for (const s of ['认定为执法过错', '不作为执法错误认定（第十四条）']) expect(html).toContain(s);
  });

  it('real cards: every button the platform would offer is on the page with the same value', () => {
    const cards = [
      helpCard({ orgName: '兴安盟国防动员办公室', roles: ['officer', 'admin', 'secretary'] }),
      ...(['basics', 'items'] as const).map((step) =>
        intakeStepCard({
          caseId: 'case_1',
          number: null,
          origin: 'individual',
          step,
          position: { index: 0, total: 7 },
          facts: emptyFacts(),
          typed: {},
          errors: [],
          policy,
          today: '2026-03-02',
        }),
      ),
    ];
    for (const c of cards) {
      const html = renderCard(c);
      const shown = attrValues(html, 'data-value').map((v) => JSON.parse(v));
      expect(shown).toEqual(cardButtons(c).map((b) => b.value));
    }
  });
});

describe('collectFormValue: what a submit sends, as the Lark client shapes it', () => {
  const f = form('f', [
    { tag: 'input', name: 'title', required: true, max_length: 5, label: plain('事项名称') },
    { tag: 'input', name: 'note', default_value: '原有说明' },
    {
      tag: 'column_set',
      columns: [
        {
          tag: 'column',
          elements: [
            {
              tag: 'select_static',
              name: 'unit',
              placeholder: plain('科室'),
              options: [
                { text: plain('一科'), value: 'u1' },
                { text: plain('二科'), value: 'u2' },
              ],
            },
          ],
        },
      ],
    },
    {
      tag: 'multi_select_static',
      name: 'items',
      options: [
        { text: plain('9.1'), value: '9.1' },
        { text: plain('10.4'), value: '10.4' },
      ],
      selected_values: ['9.1'],
    },
    { tag: 'date_picker', name: 'occurred', label: plain('发生日期') },
    { tag: 'select_person', name: 'who', label: plain('核查人员') },
    { tag: 'checker', name: 'agree', text: plain('同意') },
    submit('提交', { a: 'go' }),
  ]);

  it('finds the named fields in document order, inside columns too', () => {
    expect(formFields(f).map((x) => x.name)).toEqual([
      'title',
      'note',
      'unit',
      'items',
      'occurred',
      'who',
      'agree',
    ]);
  });

  it('shapes each kind: text, a chosen option, an array, a dated +0800, a person, a boolean', () => {
    const r = collectFormValue(
      f,
      {
        title: '暂扣设备',
        unit: 'u2',
        items: ['10.4', '10.4'],
        occurred: '2026-11-20',
        who: 'ou_li',
        agree: true,
      },
      { people: PEOPLE },
    );
    expect(r).toEqual({
      ok: true,
      value: {
        title: '暂扣设备',
        note: '原有说明',
        unit: 'u2',
        items: ['10.4'],
        occurred: '2026-11-20 +0800',
        who: 'ou_li',
        agree: true,
      },
    });
  });

  it('what was not sent keeps the initial value; empty choices are left out; empty text is ""', () => {
    const r = collectFormValue(
      f,
      { title: '暂扣', note: '', unit: '', occurred: '', who: '' },
      { people: PEOPLE },
    );
    expect(r).toEqual({ ok: true, value: { title: '暂扣', note: '', items: ['9.1'], agree: false } });
    const dated = collectFormValue(
      form('d', [{ tag: 'date_picker', name: 'd', initial_date: '2026-01-05' }]),
      {},
    );
    expect(dated).toEqual({ ok: true, value: { d: '2026-01-05 +0800' } });
    const already = collectFormValue(form('d', [{ tag: 'date_picker', name: 'd' }]), {
      d: '2026-01-05 +0800',
    });
    expect(already).toEqual({ ok: true, value: { d: '2026-01-05 +0800' } });
  });

  it('a required field left empty, too long a text or an option the card does not offer stops the submit', () => {
    expect(collectFormValue(f, { title: '  ' }, { people: PEOPLE })).toEqual({
      ok: false,
      problems: ['请填写「事项名称」'],
    });
    expect(collectFormValue(f, { title: '一二三四五六' }, { people: PEOPLE })).toEqual({
      ok: false,
      problems: ['「事项名称」不能超过 5 个字'],
    });
    // Length counts characters as people do, so five emoji fit in five.
    expect(collectFormValue(f, { title: '😀😀😀😀😀' }, { people: PEOPLE }).ok).toBe(true);
    const bad = collectFormValue(
      f,
      { title: '暂扣', unit: 'u9', items: ['12'], occurred: '2026-02-30', who: 'ou_stranger' },
      { people: PEOPLE },
    );
    expect(bad).toEqual({
      ok: false,
      problems: [
        '「科室」的选项无效，请重新选择',
        '「items」的选项无效，请重新选择',
        '「发生日期」不是有效日期',
        '「核查人员」的选项无效，请重新选择',
      ],
    });
    const required = form('r', [
      {
        tag: 'select_static',
        name: 's',
        required: true,
        label: plain('科室'),
        options: [{ text: plain('一'), value: '1' }],
      },
      { tag: 'multi_select_static', name: 'm', required: true, label: plain('情形'), options: [] },
      { tag: 'date_picker', name: 'd', required: true, label: plain('日期') },
      { tag: 'checker', name: 'c', required: true, text: plain('我已确认') },
    ]);
    expect(collectFormValue(required, {})).toEqual({
      ok: false,
      problems: ['请选择「科室」', '请选择「情形」', '请选择「日期」', '请勾选「我已确认」'],
    });
  });

  it('locateButton finds the clicked button and the form it submits; other buttons submit nothing', () => {
    const c = card({ title: 't', elements: [f, button('帮助', { a: 'cmd', cmd: 'help' })] });
    const hit = locateButton(c, { a: 'go' }, 'submit');
    expect(hit?.form).toBe(f);
    expect(locateButton(c, { a: 'go' }, 'other')).toBeUndefined();
    const plainHit = locateButton(c, { a: 'cmd', cmd: 'help' }, undefined);
    expect(plainHit?.button.text).toEqual(plain('帮助'));
    expect(plainHit?.form).toBeUndefined();
    expect(locateButton(c, { a: 'cmd', cmd: 'nope' }, undefined)).toBeUndefined();
  });
});
