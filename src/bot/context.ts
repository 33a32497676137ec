import type { BusinessCalendar } from '../calendar';
import { hasRole } from '../cases/common';
import type { Actor, Env, Role } from '../cases/types';
import type { Colleague } from '../lark/client';
import type { Policy } from '../policy';
import type { Db } from '../store';
import type { Repo } from '../store/repo';
import type { Effects } from './effects';
import type { EventReads, RosterNames } from './event-reads';
import type { AnonymousDrafts } from './redact';

/** What the bot needs from outside the database: names from the contact API, ids, settings. */
export interface BotDeps {
  policy: Policy;
  calendar: BusinessCalendar;
  /** Reloads policy data admins changed at run time (extra holidays); called before each unit of work. */
  syncPolicyData(db: Db): Promise<void>;
  /** Before an event is routed: policy data and the sender's roles and conversation, read as cheaply as the store allows. */
  readForEvent: EventReads;
  /** The roster's display names (the vote card lists every member), kept while the roster is unchanged where the store allows. */
  rosterNames: RosterNames;
  /** Admins from ADMIN_OPEN_IDS (more are added in chat). */
  configAdmins: string[];
  userName(openId: string): Promise<string | undefined>;
  /** Colleagues whose name contains the given text (the contact API); throws LarkCallError when it refuses. */
  findColleagues(name: string, limit: number): Promise<Colleague[]>;
  /** The bot's own open_id, when the platform told us. */
  botOpenId(): Promise<string | undefined>;
  newId(prefix: string): string;
  /** A random code for people to type back (admin bind code, anonymous query code). */
  newCode(): string;
  /** Who has an anonymous report draft open (memory only; see src/bot/redact.ts). */
  anonymousDrafts: AnonymousDrafts;
}

/** Everything a handler works with while deciding one event; nothing here commits. */
export class Ctx {
  readonly env: Env;
  private actors = new Map<string, Actor>();

  constructor(
    readonly fx: Effects,
    readonly repo: Repo,
    readonly deps: BotDeps,
  ) {
    this.env = { now: fx.now, policy: deps.policy, calendar: deps.calendar };
  }

  get now(): Date {
    return this.fx.now;
  }

  /** The sender with the roles the roster gives them (admins from the configuration included). */
  async actor(openId: string, name?: string): Promise<Actor> {
    const known = this.actors.get(openId);
    if (known) return known;
    const roles = new Set<Role>(await this.repo.rolesOf(openId));
    if (this.deps.configAdmins.includes(openId)) roles.add('admin');
    const actor: Actor = { openId, ...(name ? { name } : {}), roles: [...roles] };
    this.actors.set(openId, actor);
    return actor;
  }

  async isAdmin(openId: string): Promise<boolean> {
    return hasRole(await this.actor(openId), 'admin');
  }
}
