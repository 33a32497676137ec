import { describe, expect, it } from 'vitest';
import { CARD_MAX_BYTES, cardBytes } from '../../cards/common';
import { type ConfigCardData, configCard, ROLE_LABELS, type RosterRole } from '../../cards/config';
import { groupHelloCard } from '../../cards/group-hello';
import { welcomeCard } from '../../cards/welcome';
import { defaultPolicy } from '../../src/policy';

const text = (c: object) => JSON.stringify(c);
type El = { tag: string; content?: string; columns?: { elements: Button[] }[] };
type Button = {
  tag: string;
  text: { content: string };
  behaviors: { type: string; value: Record<string, unknown> }[];
};
const elements = (c: { body: { elements: object[] } }) => c.body.elements as El[];
const buttons = (c: { body: { elements: object[] } }) =>
  elements(c)
    .filter((e) => e.tag === 'column_set')
    .flatMap((e) => e.columns ?? [])
    .flatMap((col) => col.elements);

function expectCard2(c: {
  schema: string;
  header: { title: { content: string } };
  body: { elements: object[] };
}) {
  expect(c.schema).toBe('2.0');
  expect(c.header.title.content.length).toBeGreaterThan(0);
  for (const e of elements(c)) expect(['markdown', 'hr', 'column_set']).toContain(e.tag);
  for (const b of buttons(c)) {
    expect(b.tag).toBe('button');
    expect(b.behaviors[0]?.type).toBe('callback');
  }
}

const units = defaultPolicy.units;
const oid = (i: number) => `ou_${i.toString(16).padStart(32, '0')}`;
const cid = (i: number) => `oc_${i.toString(16).padStart(32, 'a')}`;

describe('config card', () => {
  const base: ConfigCardData = {
    orgName: defaultPolicy.orgName,
    roster: [
      { openId: 'ou_sec', role: 'secretary', name: '王书记' },
      { openId: 'ou_mem', role: 'party_member', name: '李成员' },
      { openId: 'ou_clk', role: 'clerk', name: '赵经办' },
      { openId: 'ou_adm', role: 'admin', name: null },
    ],
    configAdmins: [{ openId: 'ou_cfg', name: '孙配置' }],
    bindings: [
      { chatId: 'oc_party', kind: 'party', unitId: '' },
      { chatId: 'oc_unit', kind: 'unit', unitId: 'enforcement_1' },
      { chatId: 'oc_old', kind: 'unit', unitId: 'dissolved' },
    ],
    units,
    currentChatId: 'oc_party',
  };

  it('groups the roster by role and lists every binding, marking this chat and the unbound ones', () => {
    const c = configCard(base);
    expectCard2(c);
    const md = elements(c)
      .filter((e) => e.tag === 'markdown')
      .map((e) => e.content)
      .join('\n');
    expect(md).toContain('**党组书记**（同时计为党组成员）（1）：王书记');
    expect(md).toContain('**党组成员**（1）：李成员');
    expect(md).toContain('**经办人**（1）：赵经办');
    expect(md).toContain('**核查人员**（0）：（未设置）');
    expect(md).toMatch(/\*\*管理员\*\*（2）：未知姓名（…ou_adm）；配置文件指定：孙配置/);
    expect(md).toContain('**党组群**：本群（oc_party）');
    expect(md).toContain('**公示群**：**未绑定**');
    expect(md).toContain('**科室群 · 执法一科**：oc_unit');
    expect(md).toContain('**科室群 · 综合科**：**未绑定**');
    expect(md).toContain('dissolved**（该科室已不在制度配置中）：oc_old');
    expect(md).not.toContain('节假日');
    expect(buttons(c).map((b) => b.behaviors[0]?.value)).toEqual([
      { a: 'setup.config' },
      { a: 'cmd', cmd: 'help' },
    ]);
  });

  it('warns about the holiday data running out', () => {
    const c = configCard({ ...base, calendarWarning: { dataEndsOn: '2026-12-31', daysLeft: 33 } });
    expect(text(c)).toContain('已知数据截至 2026-12-31（还剩 33 天）');
    expect(c.header.template).toBe('orange');
  });

  it('a config admin who is also in the roster is counted once', () => {
    const c = configCard({ ...base, configAdmins: [{ openId: 'ou_adm' }] });
    expect(text(c)).toContain('**管理员**（1）');
    expect(text(c)).not.toContain('配置文件指定');
  });

  it('stays under 30 KB with a large office: hundreds of people, long names, every unit bound', () => {
    const roles = Object.keys(ROLE_LABELS) as RosterRole[];
    const roster = Array.from({ length: 600 }, (_, i) => ({
      openId: oid(i),
      role: roles[i % roles.length]!,
      name: `欧阳${'长'.repeat(8)}${i}`,
    }));
    const manyUnits = Array.from({ length: 40 }, (_, i) => ({
      id: `unit_${i}`,
      name: `第${i}行政执法监督检查科`,
    }));
    const c = configCard({
      ...base,
      roster,
      configAdmins: Array.from({ length: 10 }, (_, i) => ({ openId: oid(1000 + i), name: `配置管理员${i}` })),
      units: manyUnits,
      bindings: manyUnits.map((u, i) => ({ chatId: cid(i), kind: 'unit' as const, unitId: u.id })),
      calendarWarning: { dataEndsOn: '2026-12-31', daysLeft: 1 },
    });
    expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
    expect(text(c)).toContain('等 120 人');
  });
});

describe('welcome card', () => {
  it('tells an officer how to begin, with buttons that run commands', () => {
    const c = welcomeCard({ orgName: defaultPolicy.orgName, isAdmin: false, noAdminYet: false });
    expectCard2(c);
    expect(text(c)).toContain('申请容错');
    expect(text(c)).toContain('第十三条');
    expect(text(c)).not.toContain('你是管理员');
    expect(text(c)).not.toContain('绑定管理员');
    expect(buttons(c).map((b) => b.behaviors[0]?.value)).toEqual([
      { a: 'cmd', cmd: 'apply' },
      { a: 'cmd', cmd: 'mine' },
      { a: 'cmd', cmd: 'help' },
    ]);
    expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
  });

  it('shows an admin the setup steps and the config button', () => {
    const c = welcomeCard({ orgName: defaultPolicy.orgName, isAdmin: true, noAdminYet: false });
    expect(text(c)).toContain('你是管理员');
    expect(text(c)).toContain('设为党组群');
    expect(text(c)).toContain('看不到案件内容');
    expect(buttons(c).map((b) => b.behaviors[0]?.value)).toContainEqual({ a: 'cmd', cmd: 'config' });
  });

  it('before any admin exists, explains the bind code', () => {
    const c = welcomeCard({ orgName: defaultPolicy.orgName, isAdmin: false, noAdminYet: true });
    expect(text(c)).toContain('绑定管理员 绑定码');
    expect(text(c)).toContain('启动日志');
  });
});

describe('group hello card', () => {
  it('explains the three bindings with the valid unit names and the role commands', () => {
    const c = groupHelloCard({
      orgName: defaultPolicy.orgName,
      units: units.map((u) => u.name),
      boundAs: [],
    });
    expectCard2(c);
    for (const w of [
      '设为党组群',
      '设为公示群',
      '设为科室群 科室名',
      '党组成员',
      '管理员',
      ...units.map((u) => u.name),
    ]) {
      expect(text(c)).toContain(w);
    }
    expect(text(c)).toContain('尚未绑定');
    expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
  });

  it('says what a known chat is already bound as, and stays small with many units', () => {
    const many = Array.from({ length: 200 }, (_, i) => `第${i}行政执法监督检查科`);
    const c = groupHelloCard({ orgName: defaultPolicy.orgName, units: many, boundAs: ['党组群', '公示群'] });
    expect(text(c)).toContain('本群当前绑定为：**党组群、公示群**');
    expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
  });
});
