import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraft } from '../../src/cases/intake';
import type { Actor } from '../../src/cases/types';
import { encryptPayload } from '../../src/lark/crypto';
import { Repo } from '../../src/store/repo';
import { ADMIN, APP, type Harness, OFFICER, startHarness } from '../support/harness';

// Fixed seeds and bounded runs: the same inputs every time, and a failure prints its seed and counterexample.
const RUNS = { seed: 20261201, numRuns: 60, endOnFailure: true } as const;
const OTHER = { openId: 'ou_other_officer', name: '王其他' };
const OTHER_CASE = 'case_someone_elses';

/** Tables holding what people did; an invalid request must change none of them. */
const DOMAIN_TABLES = [
  'cases',
  'votes',
  'determinations',
  'notices',
  'correction_orders',
  'correction_items',
  'extensions',
  'reports',
  'report_accused',
  'roster',
  'chat_bindings',
  'conversations',
  'audit',
];

const CHINESE = /[\u4e00-\u9fff]/;

/** Deep nesting, huge strings, every Unicode category, and ids of other people and their cases. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom(
    OTHER_CASE,
    OTHER.openId,
    ADMIN.openId,
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\ud800',
    '🏳️‍🌈'.repeat(50),
  ),
  fc.nat({ max: 60_000 }).map((n) => '举'.repeat(n)),
);
/** Nesting this deep as JSON text: parsed by the app, too deep for a recursive serialiser. */
const deepText = fc
  .integer({ min: 1, max: 20_000 })
  .map((depth) => `${'{"a":['.repeat(depth)}"bottom"${']}'.repeat(depth)}`);
const deep = fc.integer({ min: 1, max: 80 }).map((depth) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
});
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  deep,
  fc.jsonValue({ maxDepth: 6 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const hostileObject = fc.dictionary(
  fc.oneof(
    hostileString,
    fc.constantFrom('a', 'c', 'caseId', 'id', 'd', 'm', 'cmd', 'v', '__proto__', 'constructor'),
  ),
  hostileValue,
  { maxKeys: 8 },
);

describe('hostile input', () => {
  let fuzzEvents = 0;
  let h: Harness;
  let actionIds: string[] = [];
  let officerCard = '';
  beforeAll(async () => {
    h = await startHarness();
    h.emu.addUser(OTHER);
    // Someone else's submitted case, for values that name it.
    const { store } = h.rt;
    const repo = new Repo(store.db);
    const env = { now: new Date(), policy: h.rt.service.bot.policy, calendar: h.rt.service.bot.calendar };
    const subject: Actor = { ...OTHER, roles: [] };
    const draft = createDraft({ type: 'create_draft', caseId: OTHER_CASE }, subject, env);
    if (!draft.ok) throw new Error(draft.reason);
    await store.commit(repo.saveCase(null, draft.state));
    const help = await h.emu.sendText(OFFICER.openId, '帮助');
    await h.settle();
    officerCard = h.emu
      .messages({ openId: OFFICER.openId })
      .find((m) => m.replyTo === help.messageId)!.messageId;
    const { features } = await import('../../src/bot/features');
    actionIds = features.flatMap((f) => Object.keys(f.actions ?? {}));
  });
  afterAll(async () => h?.close());

  function snapshot(): string {
    const db = new Database(h.dbPath, { readonly: true });
    try {
      return JSON.stringify(DOMAIN_TABLES.map((t) => db.prepare(`select * from ${t}`).all()));
    } finally {
      db.close();
    }
  }
  function fuzzedInInbox(): number {
    const db = new Database(h.dbPath, { readonly: true });
    try {
      return (
        db.prepare("select count(*) as n from inbox where event_id like 'fuzz_%'").get() as { n: number }
      ).n;
    } finally {
      db.close();
    }
  }
  function inboxTroubles(): unknown[] {
    const db = new Database(h.dbPath, { readonly: true });
    try {
      return db
        .prepare("select event_id, status, attempts from inbox where status != 'done' or attempts > 0")
        .all();
    } finally {
      db.close();
    }
  }
  /** Messages created or updated for anyone but `openId` since `since` (outbox rows). */
  function messagesToOthers(openId: string, sinceId: number): unknown[] {
    const db = new Database(h.dbPath, { readonly: true });
    try {
      return db
        .prepare(
          "select id, op, receive_id from outbox where id > ? and op = 'send' and receive_id != ? and receive_id != ?",
        )
        .all(sinceId, openId, ADMIN.openId);
    } finally {
      db.close();
    }
  }
  function lastOutboxId(): number {
    const db = new Database(h.dbPath, { readonly: true });
    try {
      return (db.prepare('select coalesce(max(id), 0) as id from outbox').get() as { id: number }).id;
    } finally {
      db.close();
    }
  }

  it('raw webhook bodies and headers: refused with a 4xx and a Chinese reason, nothing changes', async () => {
    const before = snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileString,
          fc.jsonValue({ maxDepth: 8 }).map((v) => JSON.stringify(v)),
          deepText,
          fc.constant(JSON.stringify({ encrypt: 'AAAA' })),
          fc.constant(JSON.stringify({ type: 'url_verification', challenge: 'x', token: 'wrong' })),
          fc.constant(JSON.stringify({ schema: '2.0', header: { event_type: 'im.message.receive_v1' } })),
        ),
        fc.dictionary(
          fc.constantFrom(
            'x-lark-request-timestamp',
            'x-lark-request-nonce',
            'x-lark-signature',
            'content-type',
            'x-forwarded-for',
          ),
          fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
        ),
        fc.constantFrom('/webhook/event', '/webhook/card'),
        async (body, headers, path) => {
          const res = await fetch(`${h.rt.url}${path}`, { method: 'POST', headers, body });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          const json = (await res.json()) as { msg?: string };
          expect(json.msg).toMatch(CHINESE);
        },
      ),
      RUNS,
    );
    expect(snapshot()).toBe(before);
  }, 120_000);

  it('signed events with hostile contents: 200, handled without a crash, nothing changes', async () => {
    const before = snapshot();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'im.message.receive_v1',
          'card.action.trigger',
          'application.bot.menu_v6',
          'im.chat.member.bot.deleted_v1',
        ),
        fc.oneof(
          hostileValue.map((v) => JSON.stringify(v) ?? 'null'),
          hostileObject.map((v) => JSON.stringify(v)),
          deepText,
        ),
        async (type, eventText) => {
          const header = JSON.stringify({
            event_id: `fuzz_${++fuzzEvents}`,
            event_type: type,
            token: APP.verificationToken,
            app_id: h.emu.appId,
            tenant_key: h.emu.tenantKey,
            create_time: String(Date.now()),
          });
          const plain = `{"schema":"2.0","header":${header},"event":${eventText}}`;
          const raw = JSON.stringify({ encrypt: encryptPayload(plain, APP.encryptKey) });
          const res = await h.emu.deliver(
            {},
            { raw, url: type === 'card.action.trigger' ? 'card' : 'event' },
          );
          expect(res.status).not.toBeGreaterThanOrEqual(500);
          if (res.status === 200) accepted++;
          else expect((res.json as { msg?: string }).msg).toMatch(CHINESE);
          await h.settle();
          expect(inboxTroubles()).toEqual([]);
        },
      ),
      RUNS,
    );
    // The events got past the signature and into the inbox: the handlers saw them, not only the gate.
    expect(accepted).toBeGreaterThan(0);
    expect(fuzzedInInbox()).toBeGreaterThan(0);
    expect(snapshot()).toBe(before);
  }, 120_000);

  it('card callback and form values: a Chinese answer, no crash, no change to anyone else’s record', async () => {
    const before = snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...actionIds),
        hostileObject,
        fc.option(hostileObject, { nil: undefined }),
        async (a, rest, formValue) => {
          const since = lastOutboxId();
          const shown = h.emu.messages({ openId: OFFICER.openId }).length;
          const value = { ...rest, a };
          const click = await h.emu.click(OFFICER.openId, officerCard, value, formValue, { unchecked: true });
          await h.settle();
          // Nesting no card can produce is refused at the edge, in words.
          if (click.status !== 200) {
            expect(click.status).toBe(400);
            expect((click.json as { msg?: string }).msg).toMatch(CHINESE);
            return;
          }
          const answered = [
            click.toast?.content ?? '',
            click.card ? JSON.stringify(click.card) : '',
            ...h.emu
              .messages({ openId: OFFICER.openId })
              .slice(shown)
              .map((m) => JSON.stringify(m.content)),
          ].join('');
          expect(answered).toMatch(CHINESE);
          expect(inboxTroubles()).toEqual([]);
          expect(messagesToOthers(OFFICER.openId, since)).toEqual([]);
        },
      ),
      RUNS,
    );
    // Cards with made-up values change nobody's record.
    expect(snapshot()).toBe(before);
  }, 120_000);

  it('message texts: always a Chinese reply to the sender, no crash, nobody else messaged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileString,
          hostileString.map((s) => `查询 ${s}`),
          fc.constantFrom(`撤回 ${OTHER_CASE}`, `查看 ${OTHER_CASE}`, `查询 ${OTHER_CASE}`, '重试失败事件'),
        ),
        async (text) => {
          const since = lastOutboxId();
          const shown = h.emu.messages({ openId: OFFICER.openId }).length;
          const otherCase = JSON.stringify(await new Repo(h.rt.store.db).getCase(OTHER_CASE));
          const sent = await h.emu.sendText(OFFICER.openId, text);
          expect(sent.status).toBe(200);
          await h.settle();
          const answers = h.emu.messages({ openId: OFFICER.openId }).slice(shown);
          expect(answers.length).toBeGreaterThan(0);
          expect(JSON.stringify(answers.map((m) => m.content))).toMatch(CHINESE);
          expect(inboxTroubles()).toEqual([]);
          expect(messagesToOthers(OFFICER.openId, since)).toEqual([]);
          // Whatever the officer typed, someone else's case is untouched.
          expect(JSON.stringify(await new Repo(h.rt.store.db).getCase(OTHER_CASE))).toBe(otherCase);
        },
      ),
      RUNS,
    );
  }, 180_000);
});
