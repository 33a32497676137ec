import { applyCase, isRefusal } from '../../src/bot/apply';
import { Ctx } from '../../src/bot/context';
import { type CaseCommand, decideCase } from '../../src/cases';
import type { Service } from '../../src/service';
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
