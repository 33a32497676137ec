import { randomInt, randomUUID } from 'node:crypto';
import { createApp, createReceiver, handleInbound } from './app';
import { LiveCalendar } from './bot/calendar-data';
import { type BotDeps, Ctx } from './bot/context';
import { eventReads, rosterNames } from './bot/event-reads';
import { features } from './bot/features';
import { belongsToAnonymousReport } from './bot/handlers/reports-intake';
import { HandlingQueue, type HandlingQueueOptions } from './bot/handling-queue';
import { Pipeline } from './bot/pipeline';
import { onMessageSettled } from './bot/receipts';
import { AnonymousDrafts, redact } from './bot/redact';
import { createRouter, HANDLED_EVENT_TYPES } from './bot/router';
import type { Config } from './config';
import { jobs } from './jobs';
import { tick } from './jobs/tick';
import type { LarkTransport } from './lark/client';
import { startLongConnection } from './lark/ws';
import type { Logger } from './log';
import { Deliverer, type DeliveryPolicy, defaultDeliveryPolicy } from './notify/deliver';
import { deliverUnrecorded, type UnrecordedDeps } from './notify/unrecorded';
import { defaultPolicy, type Policy } from './policy';
import type { Store } from './store';
import { keepReadsOf } from './store/prepared';
import { Repo } from './store/repo';

export interface ServiceOptions {
  config: Config;
  store: Store;
  transport: LarkTransport;
  logger: Logger;
  /** Business time (Asia/Shanghai deadlines, reminders, what a record says happened when); `--now` moves it. */
  clock?: () => number;
  /**
   * Real time, for safety timers only: how long an event has waited, signature freshness, leases, retry
   * back-off. Whatever business time says, these follow the machine's clock.
   */
  wallClock?: () => number;
  delivery?: Partial<DeliveryPolicy>;
  cardBudgetMs?: number;
  policy?: Policy;
  defer?: (work: () => Promise<unknown>, executionCtx?: unknown, key?: string) => void;
  /** How background handling gives way to requests (Workers: not at all, each request is its own). */
  handling?: Partial<Omit<HandlingQueueOptions, 'logger'>>;
  /** Who has an anonymous report draft open; memory only (on Workers shared by the isolate's requests). */
  anonymousDrafts?: AnonymousDrafts;
}

/** Everything but the runtime: the same wiring serves Node and Workers. */
export function createService(o: ServiceOptions) {
  const clock = o.clock ?? Date.now;
  const wallClock = o.wallClock ?? Date.now;
  const admins = async () => [
    ...new Set([
      ...o.config.adminOpenIds,
      ...(await new Repo(o.store.db).withRole('admin')).map((r) => r.openId),
    ]),
  ];
  let pipelineRef: Pipeline | undefined;
  const deliverer = new Deliverer({
    store: o.store,
    transport: o.transport,
    logger: o.logger,
    clock: wallClock,
    businessClock: clock,
    policy: o.delivery,
    admins,
    onSettled: async (ref, outcome, now) => {
      await pipelineRef?.runUnit(
        `settled:${ref}`,
        (fx) => onMessageSettled(new Ctx(fx, new Repo(fx.db), bot), ref, outcome),
        now,
      );
    },
  });
  keepReadsOf(o.store);
  const policy = o.policy ?? defaultPolicy;
  const calendar = new LiveCalendar(policy.calendar.extraDays);
  const anonymousDrafts = o.anonymousDrafts ?? new AnonymousDrafts();
  const bot: BotDeps = {
    policy,
    calendar,
    syncPolicyData: (db) => calendar.sync(db),
    readForEvent: eventReads(o.store, calendar),
    rosterNames: rosterNames(o.store),
    configAdmins: o.config.adminOpenIds,
    userName: (openId) => o.transport.userName(openId),
    findColleagues: (name, limit) => o.transport.findColleagues(name, limit),
    botOpenId: () => o.transport.botOpenId(),
    newId: (prefix) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    newCode: () => randomCode(),
    anonymousDrafts,
  };
  // Background handling on Node waits for a pause in requests (src/bot/handling-queue.ts); Workers pass waitUntil.
  const queue = new HandlingQueue({ logger: o.logger, ...o.handling });
  const defer =
    o.defer ??
    ((work: () => Promise<unknown>, _executionCtx?: unknown, key?: string) => queue.defer(work, key));
  // Answers sent from memory keep to the same pacing as the outbox's rows.
  const unrecorded: UnrecordedDeps = {
    transport: {
      ...o.transport,
      send: (type, id, msgType, content, uuid) =>
        deliverer.paced(id, () => o.transport.send(type, id, msgType, content, uuid)),
      patch: (messageId, content) => deliverer.paced(messageId, () => o.transport.patch(messageId, content)),
    },
    logger: o.logger,
    baseBackoffMs: o.delivery?.baseBackoffMs ?? defaultDeliveryPolicy.baseBackoffMs,
  };
  const router = createRouter(bot, features);
  const pipeline = new Pipeline({
    store: o.store,
    logger: o.logger,
    router,
    kickDelivery: () => deliverer.kick(),
    clock,
    wallClock,
    cardBudgetMs: o.cardBudgetMs,
    admins,
    defer,
    redact: (envelope) =>
      belongsToAnonymousReport(envelope, { drafts: anonymousDrafts, policy, now: new Date(clock()) })
        ? redact(envelope)
        : undefined,
    sendUnrecorded: (messages) => deliverUnrecorded(unrecorded, messages),
  });
  pipelineRef = pipeline;
  const verify = {
    encryptKey: o.config.encryptKey,
    verificationToken: o.config.verificationToken,
  };
  const appDeps = {
    pipeline,
    logger: o.logger,
    verify,
    isHandledType: (t: string) => HANDLED_EVENT_TYPES.has(t),
    clock: wallClock,
    defer,
    ingress: queue.ingress,
  };
  const receive = createReceiver(appDeps);
  const app = createApp(appDeps, receive);
  return {
    app,
    /** The webhook without a framework around it: `runtime/node.ts` serves it straight from node:http. */
    receive,
    pipeline,
    deliverer,
    tick: (now: Date) =>
      tick({ store: o.store, pipeline, deliverer, logger: o.logger, bot, jobs, wallClock }, now),
    bot,
    /** Connects the long connection (LARK_TRANSPORT=websocket) to the same pipeline. */
    async startLongConnection() {
      const inbound = handleInbound(appDeps, 'websocket');
      return startLongConnection({
        appId: o.config.appId,
        appSecret: o.config.appSecret,
        domain: o.config.domain,
        logger: o.logger,
        handlers: {
          onEvent: async (envelope) => {
            await inbound(envelope, defer);
          },
          onCard: (envelope) => pipeline.handleCard(envelope, 'websocket'),
        },
      });
    },
    /** Waits for background handling and delivery (tests, shutdown). */
    async settle() {
      for (let i = 0; i < 100; i++) {
        await queue.drained();
        await pipeline.idle();
        await deliverer.idle();
        if (queue.size > 0 || pipeline.busy || deliverer.busy) continue;
        // A retry due within a couple of seconds (a rate limit, a 500) is part of settling, not left behind.
        const wait = await deliverer.nextDueWithin(2_000);
        if (wait === null) return;
        await new Promise((resolve) => setTimeout(resolve, wait));
        deliverer.kick();
      }
    },
  };
}

export type Service = ReturnType<typeof createService>;

// Unambiguous characters only: people type these codes back.
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
function randomCode(length = 10): string {
  let s = '';
  for (let i = 0; i < length; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}
