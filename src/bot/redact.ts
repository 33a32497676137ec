/**
 * Decides before the first write. An event that belongs to an anonymous report is recorded without its
 * sender: the inbox gets only the event's id and type, while the handler works on the envelope in memory
 * and answers in the card callback's own response or with a message sent from memory (never the outbox).
 * Such an event cannot be handled after a restart; the sender starts again (第十八条: identity not stored).
 */
import type { EventEnvelope } from '../lark/envelope';
import { toStatement, type Write } from '../store';

export interface Redaction {
  /** What the inbox stores instead of the envelope. */
  recorded: EventEnvelope;
  /** The sender's ids, chat and message ids, and callback token, as they appear in the envelope. */
  traces: string[];
}

/** Decides per envelope; undefined records the event as it came. */
export type Redactor = (envelope: EventEnvelope) => Redaction | undefined;

// Keys whose values point at a person, their chat or their message; mentions and card values name
// other people (the accused) and are the report's own data.
const TRACE_KEYS = new Set([
  'open_id',
  'union_id',
  'user_id',
  'chat_id',
  'message_id',
  'open_message_id',
  'open_chat_id',
  'root_id',
  'parent_id',
  'thread_id',
  'upper_message_id',
  'token',
]);
const NOT_THE_SENDER = new Set(['mentions', 'action']);

function collectTraces(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const x of node) collectTraces(x, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (NOT_THE_SENDER.has(key)) continue;
    if (typeof value === 'string') {
      if (TRACE_KEYS.has(key) && value.length >= 6) out.add(value);
    } else collectTraces(value, out);
  }
}

export function redact(envelope: EventEnvelope): Redaction {
  const traces = new Set<string>();
  collectTraces(envelope.event, traces);
  return {
    recorded: {
      schema: '2.0',
      header: { event_id: envelope.header.event_id, event_type: envelope.header.event_type },
      event: { redacted: true },
    },
    traces: [...traces],
  };
}

/** A recorded envelope that lost its sender: nothing is left to answer. */
export function isRedacted(envelope: EventEnvelope): boolean {
  const e = envelope.event as { redacted?: unknown } | null;
  return e?.redacted === true;
}

/** The first write that would store one of the traces, if any: such a commit must not run. */
export function writeHoldingTrace(writes: Write[], traces: string[]): number {
  if (traces.length === 0) return -1;
  return writes.findIndex((w) => {
    const s = toStatement(w);
    const text = [s.sql, ...s.params.map((p) => (typeof p === 'string' ? p : ''))].join('\u0000');
    return traces.some((t) => text.includes(t));
  });
}

/**
 * Who has an anonymous report draft open, so their next direct messages are recorded without them too.
 * Memory only, never persisted: any stored link, even a keyed hash of the open_id, would let whoever holds
 * the key tie a person to the moment a report was opened. Lost on restart (and per isolate on Workers):
 * then a message falls back to ordinary handling, while the draft itself, keyed by a token that only the
 * reporter's card carries, still works.
 */
export class AnonymousDrafts {
  private readonly open = new Map<string, { token: string; until: number }>();
  constructor(
    private readonly idleMs = 30 * 60_000,
    private readonly max = 10_000,
  ) {}

  mark(openId: string, token: string, now: number): void {
    this.open.delete(openId);
    this.open.set(openId, { token, until: now + this.idleMs });
    for (const key of this.open.keys()) {
      if (this.open.size <= this.max) break;
      this.open.delete(key);
    }
  }

  tokenOf(openId: string, now: number): string | undefined {
    const entry = this.open.get(openId);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.open.delete(openId);
      return undefined;
    }
    return entry.token;
  }

  forget(openId: string): void {
    this.open.delete(openId);
  }
}
