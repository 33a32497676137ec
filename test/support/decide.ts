import { applyCase, isRefusal } from '../../src/bot/apply';
import { Ctx } from '../../src/bot/context';
import {
  type Actor,
  type Case,
  type CaseCommand,
  createDraft,
  type Decision,
  decideCase,
} from '../../src/cases';
import { defaultPolicy } from '../../src/policy';
import type { Service } from '../../src/service';
import type { Store } from '../../src/store';
import { Repo } from '../../src/store/repo';

export type CommandFor = (ctx: Ctx) => Promise<CaseCommand> | CaseCommand;

/** The core decision a person's button makes, through the real shell; a refusal is a broken set-up, so it throws. */
export async function decideAs(
  service: Service,
  caseId: string,
  openId: string,
  cmd: CommandFor,
  unit = 'test',
): Promise<void> {
  await service.pipeline.runUnit(unit, async (fx) => {
    const ctx = new Ctx(fx, new Repo(fx.db), service.bot);
    const c = await ctx.repo.getCase(caseId);
    if (!c) throw new Error(`no case ${caseId}`);
    const r = await applyCase(ctx, c, decideCase(c, await cmd(ctx), await ctx.actor(openId), ctx.env));
    if (isRefusal(r)) throw new Error(r.reason);
  });
}

/** Who a seeded deliberation involves: its case, the secretary, the members, the investigator, the subject. */
export interface DeliberationSeed {
  caseId: string;
  secretary: string;
  members: string[];
  investigator: string;
  subject: string;
  chatId: string;
}

/** A case with findings put to a party group of `members` (and the secretary), through the real shell. */
export async function seedDeliberation(
  service: Service,
  store: Store,
  p: DeliberationSeed,
  unit = 'test',
): Promise<void> {
  const repo = new Repo(store.db);
  const now = new Date();
  const by = 'ou_seed_admin';
  await store.commit([
    repo.addRole({ openId: p.secretary, name: '书记', role: 'secretary', by, now }),
    ...p.members.map((openId, i) =>
      repo.addRole({ openId, name: `委员${i + 1}`, role: 'party_member', by, now }),
    ),
    repo.addRole({ openId: p.investigator, name: '核查员', role: 'investigator', by, now }),
    repo.bindChat({ chatId: p.chatId, kind: 'party', by, now }),
  ]);
  const env = { now, policy: defaultPolicy, calendar: service.bot.calendar };
  const subject: Actor = { openId: p.subject, name: '张执法', roles: [] };
  const must = (d: Decision<Case>): Case => {
    if (!d.ok) throw new Error(d.reason);
    return d.state;
  };
  const draft = must(createDraft({ type: 'create_draft', caseId: p.caseId }, subject, env));
  const items = ['10.4'];
  const conditions = { '10.c1': true, '10.c2': true, '10.c3': true };
  const filled = must(
    decideCase(
      draft,
      {
        type: 'update_facts',
        patch: {
          title: '暂扣设备',
          occurredOn: env.now.toISOString().slice(0, 10),
          stage: 'inspection',
          unitId: 'enforcement_1',
          story: '临机决定暂扣设备。',
          lossAndImpact: '无重大损失。',
          majorLoss: false,
          seriousImpact: false,
          remedies: '次日归还。',
          items,
          conditions,
          errorCategory: 'procedure',
          enforcementArea: 'shelter_maintenance',
        },
      },
      subject,
      env,
    ),
  );
  const seq = Number(p.caseId.replace(/\D/g, '')) || 1;
  await store.commit(repo.saveCase(null, must(decideCase(filled, { type: 'submit', seq }, subject, env))));
  const act = (openId: string, cmd: CommandFor) => decideAs(service, p.caseId, openId, cmd, unit);
  await act(p.secretary, () => ({ type: 'accept' }));
  await act(p.secretary, async (ctx) => ({
    type: 'assign_investigator',
    investigator: await ctx.actor(p.investigator),
  }));
  await act(p.investigator, () => ({
    type: 'submit_findings',
    items,
    conditions,
    factors: Object.fromEntries(defaultPolicy.factors.map((f) => [f.id, '已研判'])),
    recommendedOutcome: 'exempt',
  }));
  await act(p.secretary, () => ({ type: 'open_deliberation', partyMembers: [p.secretary, ...p.members] }));
  await service.settle();
}
