import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbox, kv, messageRefs, outbox } from '../../db/schema';
import { type Harness, OFFICER, startHarness } from '../support/harness';

describe('tick retention', () => {
  let h: Harness;
  // Retention follows the real clock, not business time: the test moves that clock.
  let wall = Date.now();
  beforeAll(async () => {
    h = await startHarness({ node: { wallClock: () => wall } });
  });
  afterAll(async () => h?.close());

  it('purges handled and failed events, settled messages and old message refs after 30 days, not before', async () => {
    const sent = await h.emu.sendText(OFFICER.openId, '帮助');
    await h.settle();
    const { db } = h.rt.store;
    await h.rt.store.commit([
      db.insert(messageRefs).values({ ref: 'tracker:old', messageId: 'om_old', updatedAt: wall }),
      db.insert(inbox).values({
        eventId: 'evt_stuck',
        eventType: 'im.message.receive_v1',
        source: 'webhook',
        payload: null,
        status: 'failed',
        receivedAt: wall,
      }),
    ]);
    expect(await db.select().from(inbox).where(eq(inbox.eventId, sent.eventId))).toHaveLength(1);
    expect((await db.select().from(outbox)).length).toBeGreaterThan(0);

    const start = wall;
    // Business time far ahead purges nothing: only the real clock ages the records.
    const simulated = await h.rt.service.tick(new Date(start + 400 * 86_400_000));
    expect(simulated.purged).toEqual({ inbox: 0, outbox: 0, messageRefs: 0, reportDrafts: 0 });

    wall = start + 29 * 86_400_000;
    const soon = await h.rt.service.tick(new Date(wall));
    expect(soon.purged).toEqual({ inbox: 0, outbox: 0, messageRefs: 0, reportDrafts: 0 });

    wall = start + 31 * 86_400_000;
    const later = await h.rt.service.tick(new Date(wall));
    expect(later.purged.inbox).toBeGreaterThanOrEqual(2);
    expect(later.purged.outbox).toBeGreaterThanOrEqual(1);
    expect(later.purged.messageRefs).toBeGreaterThanOrEqual(1);
    expect(await db.select().from(inbox)).toEqual([]);
    expect(await db.select().from(messageRefs).where(eq(messageRefs.ref, 'tracker:old'))).toEqual([]);
  });

  it('drops an anonymous report draft left unfinished once its card has expired (14 days), not before', async () => {
    // Back to the real time: the webhook refuses requests signed at a time its clock calls stale.
    wall = Date.now();
    await h.emu.sendText(OFFICER.openId, '举报');
    await h.settle();
    const { db } = h.rt.store;
    const drafts = async () =>
      (await db.select().from(kv)).filter((r) => r.key.startsWith('reportdraft:')).length;
    expect(await drafts()).toBe(1);
    const start = wall;
    wall = start + 13 * 86_400_000;
    expect((await h.rt.service.tick(new Date(wall))).purged.reportDrafts).toBe(0);
    expect(await drafts()).toBe(1);
    wall = start + 15 * 86_400_000;
    // Keys of other kinds, expired too, are not drafts: one only starts like a draft's in another case.
    const others = ['REPORTDRAFT:upper', 'reportdraft', 'report:draft:x'];
    await h.rt.store.commit(
      others.map((key) => db.insert(kv).values({ key, value: '{}', expiresAt: start, updatedAt: start })),
    );
    expect((await h.rt.service.tick(new Date(wall))).purged.reportDrafts).toBe(1);
    expect(await drafts()).toBe(0);
    expect(
      (await db.select({ key: kv.key }).from(kv).where(inArray(kv.key, others))).map((r) => r.key).sort(),
    ).toEqual([...others].sort());
  });
});
