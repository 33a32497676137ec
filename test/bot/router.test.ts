import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Effects } from '../../src/bot/effects';
import { features } from '../../src/bot/features';
import type { ActionHandler, Feature } from '../../src/bot/handlers/types';
import { actionTable, createRouter, MALFORMED_ACTION } from '../../src/bot/router';
import type { CardAction, EventEnvelope } from '../../src/lark/envelope';
import type { Store } from '../../src/store';
import { offlineBotDeps } from '../support/bot-deps';
import { storeFactories } from '../support/stores';

const bot = offlineBotDeps();

const click = (value: Record<string, unknown>): EventEnvelope =>
  ({
    schema: '2.0',
    header: { event_id: 'ev_click', event_type: 'card.action.trigger', create_time: '0', token: 't' },
    event: {
      operator: { open_id: 'ou_member' },
      token: 'c-token',
      action: { tag: 'button', value },
      context: { open_message_id: 'om_card', open_chat_id: 'oc_party' },
    },
  }) as unknown as EventEnvelope;

describe('card actions at the router', () => {
  it('the features as shipped answer each action id once', () => {
    const ids = features.flatMap((f) => Object.keys(f.actions ?? {}));
    expect(actionTable(features).size).toBe(ids.length);
    expect(() => createRouter(bot, features)).not.toThrow();
  });

  it('a second handler for an id already taken stops the router from being built, naming both', () => {
    const copy: Feature = { name: 'copy', actions: { 'delib.vote': async () => {} } };
    expect(() => createRouter(bot, [...features, copy])).toThrow(
      'card action delib.vote is answered by both deliberation and copy',
    );
  });

  describe('a click is checked against its action schema before any handler runs', () => {
    let store: Store;
    let dispose: () => Promise<void>;
    const sqlite = storeFactories.find((f) => f.name === 'better-sqlite3')!;
    beforeEach(async () => {
      ({ store, dispose } = await sqlite.open());
    });
    afterEach(async () => dispose());

    async function route(value: Record<string, unknown>) {
      const seen: CardAction[] = [];
      const vote: ActionHandler<'delib.vote'> = async (ctx, a) => {
        seen.push(a);
        ctx.fx.toast('success', '已记录');
      };
      const router = createRouter(bot, [{ name: 'votes', actions: { 'delib.vote': vote } }]);
      const fx = new Effects(store.db, new Date('2026-03-02T02:00:00Z'));
      await router(click(value), fx);
      return { seen, fx };
    }

    it.each([
      ['no round', { a: 'delib.vote', case: 'case_1', v: 'exempt' }],
      ['a round that is not a number', { a: 'delib.vote', case: 'case_1', round: 'second', v: 'exempt' }],
      ['an empty case id', { a: 'delib.vote', case: '', round: 1, v: 'exempt' }],
      ['a vote that is not text', { a: 'delib.vote', case: 'case_1', round: 1, v: { exempt: true } }],
    ])('%s: a Chinese answer, the handler never runs, nothing is written', async (_label, value) => {
      const { seen, fx } = await route(value);
      expect(seen).toEqual([]);
      expect(fx.response?.toast).toEqual({ type: 'warning', content: MALFORMED_ACTION });
      expect(fx.outcome).toBe('card:malformed:delib.vote');
      expect(fx.writes).toEqual([]);
    });

    it('a well-formed value reaches its handler converted by the schema, other fields kept as sent', async () => {
      const { seen, fx } = await route({
        a: 'delib.vote',
        case: 'case_1',
        round: '2',
        v: 'exempt',
        src: 'card',
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.value).toEqual({ a: 'delib.vote', case: 'case_1', round: 2, v: 'exempt', src: 'card' });
      expect(fx.response?.toast).toEqual({ type: 'success', content: '已记录' });
    });

    it('an id no action has is the stale-card answer, as before', async () => {
      const { seen, fx } = await route({ a: 'delib.voet', case: 'case_1', round: 1, v: 'exempt' });
      expect(seen).toEqual([]);
      expect(fx.outcome).toBe('card:unknown');
      expect(fx.response?.toast?.content).toContain('该卡片已过期或操作无效');
    });
  });
});
