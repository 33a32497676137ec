import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, votes } from '../../db/schema';
import type { Case, VoteOption } from '../../src/cases';
import { Repo } from '../../src/store/repo';
import { seedDeliberation } from '../support/decide';
import { OFFICER } from '../support/harness';
import { type Rig, startRig } from '../support/rig';
import { storeFactories } from '../support/stores';

const SEC = { openId: 'ou_storm_sec', name: '书记' };
const MEMBERS = Array.from({ length: 14 }, (_, i) => ({
  openId: `ou_storm_pm${i + 1}`,
  name: `委员${i + 1}`,
}));
const GROUP = [SEC, ...MEMBERS];
const INV = { openId: 'ou_storm_inv', name: '核查员' };
const PARTY = 'oc_storm_party';
const OPTIONS: VoteOption[] = ['exempt', 'lighter', 'mitigate', 'refuse'];
const LABEL: Record<VoteOption, string> = {
  exempt: '免责',
  lighter: '从轻',
  mitigate: '减轻',
  refuse: '不予容错',
};

/** A case with findings, put to the 15-member party group through the real shell. */
async function caseInDeliberation(rig: Rig): Promise<{ id: string; cardId: string }> {
  const { emu, store, service } = rig;
  for (const u of [...GROUP, INV]) emu.addUser(u);
  emu.addChat({ chatId: PARTY, name: '党组群', members: [...GROUP.map((u) => u.openId), OFFICER.openId] });
  await seedDeliberation(service, store, {
    caseId: 'case_storm',
    secretary: SEC.openId,
    members: MEMBERS.map((m) => m.openId),
    investigator: INV.openId,
    subject: OFFICER.openId,
    chatId: PARTY,
  });
  const card = emu
    .messages({ chatId: PARTY })
    .find((m) => JSON.stringify(m.content).includes('党组审议表决'));
  if (!card) throw new Error('no vote card in the party chat');
  return { id: 'case_storm', cardId: card.messageId };
}

describe.each(storeFactories.map((f) => f.name))('vote storm on %s', (driver) => {
  let rig: Rig;
  let target: { id: string; cardId: string };
  beforeAll(async () => {
    rig = await startRig(await storeFactories.find((f) => f.name === driver)!.open());
    target = await caseInDeliberation(rig);
  }, 60_000);
  afterAll(async () => rig?.close());

  it('15 members clicking at once, one of them twice, leave one vote each and a consistent card', async () => {
    const { emu, store, service } = rig;
    const choice = (i: number) => OPTIONS[i % OPTIONS.length]!;
    const clicks = GROUP.map((u, i) => emu.clickButton(u.openId, target.cardId, LABEL[choice(i)]));
    clicks.push(emu.clickButton(GROUP[0]!.openId, target.cardId, LABEL[choice(0)]));
    const results = await Promise.all(clicks);
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect(results.every((r) => r.toast?.type === 'success' || r.toast?.type === 'info')).toBe(true);
    await service.settle();

    const rows = await store.db
      .select()
      .from(votes)
      .where(and(eq(votes.caseId, target.id), eq(votes.round, 1)));
    expect(rows).toHaveLength(15);
    expect(new Set(rows.map((r) => r.voterOpenId)).size).toBe(15);
    for (const [i, u] of GROUP.entries())
      expect(rows.find((r) => r.voterOpenId === u.openId)?.option).toBe(choice(i));
    const cast = await store.db
      .select()
      .from(audit)
      .where(and(eq(audit.subject, `case:${target.id}`), eq(audit.action, 'deliberation.vote_cast')));
    expect(cast).toHaveLength(15);

    const c = (await new Repo(store.db).getCase(target.id)) as Case;
    expect(Object.keys(c.deliberation!.votes)).toHaveLength(15);

    // Every member's copy of the card (PATCHed in place) ends with the full, consistent tally.
    const final = JSON.stringify(emu.message(target.cardId)!.content);
    expect(final).toContain('已投 15 人');
    expect(final).toContain('免责 **4**　从轻 **4**　减轻 **4**　不予容错 **3**');
    for (const u of GROUP) expect(final).toContain(`✅ ${u.name}：`);
    expect(final).not.toContain('⏳');
    // And one all-voted notice to the secretary, however the clicks interleaved.
    const allVoted = emu
      .messages({ openId: SEC.openId })
      .filter((m) => JSON.stringify(m.content).includes('全部成员已投票'));
    expect(allVoted).toHaveLength(1);
  }, 60_000);
});
