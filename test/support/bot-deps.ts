import { LiveCalendar } from '../../src/bot/calendar-data';
import type { BotDeps } from '../../src/bot/context';
import { AnonymousDrafts } from '../../src/bot/redact';
import { defaultPolicy } from '../../src/policy';

/** The bot's dependencies with no platform behind them: no names, no colleagues, fixed ids and codes. */
export function offlineBotDeps(): BotDeps {
  return {
    policy: defaultPolicy,
    calendar: new LiveCalendar([]),
    syncPolicyData: async () => {},
    readForEvent: async () => {},
    rosterNames: (repo) => repo.rosterNames(),
    configAdmins: [],
    userName: async () => undefined,
    findColleagues: async () => [],
    botOpenId: async () => undefined,
    newId: (p: string) => `${p}_1`,
    newCode: () => 'CODE',
    anonymousDrafts: new AnonymousDrafts(),
  };
}
