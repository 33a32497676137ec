import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outbox } from '../../db/schema';
import { Ctx } from '../../src/bot/context';
import { Effects } from '../../src/bot/effects';
import { emitIntents } from '../../src/bot/intents';
import type { Store } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { investigatingCase } from '../cases/fixtures';
import { offlineBotDeps } from '../support/bot-deps';
import { storeFactories } from '../support/stores';

const bot = offlineBotDeps();

describe('message recipients with no party chat bound', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await factories[0]!.open());
  });
  afterEach(async () => dispose());
  const factories = storeFactories.filter((f) => f.name === 'better-sqlite3');

  it('the party members hear it directly, except whoever is recused from the case', async () => {
    const c = { ...investigatingCase(), recused: ['ou_pm_accused'] };
    const repo = new Repo(store.db);
    const now = new Date('2026-03-02T02:00:00Z');
    await store.commit(
      ['ou_pm_a', 'ou_pm_accused', c.subjectOpenId].map((openId) =>
        repo.addRole({ openId, role: 'party_member', name: null, by: 'test', now }),
      ),
    );
    const fx = new Effects(store.db, now);
    await emitIntents(
      new Ctx(fx, new Repo(store.db), bot),
      [{ kind: 'tell', to: { chat: 'party' }, template: 'deliberation.all_voted', caseId: c.id }],
      { case: c },
    );
    await store.commit(fx.writes);
    const to = (await store.db.select().from(outbox)).map((r) => r.receiveId);
    expect(to).toEqual(['ou_pm_a']);
  });
});
