import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type Frame } from '../../src/sandbox/pbbp2';

// The SDK does not export pbbp2, but it registers its generated codec on protobufjs's shared default root.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@larksuiteoapi/node-sdk'));
sdkRequire('@larksuiteoapi/node-sdk');
type SdkFrameCodec = {
  encode(frame: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Record<string, unknown> & { headers: { key: string; value: string }[] };
};
const sdkFrame = (sdkRequire('protobufjs/minimal') as { roots: Record<string, any> }).roots.default!.pbbp2
  .Frame as SdkFrameCodec;

const header = fc.record({ key: fc.string({ maxLength: 20 }), value: fc.string({ maxLength: 40 }) });
const frameArb: fc.Arbitrary<Frame> = fc.record(
  {
    SeqID: fc.maxSafeNat(),
    LogID: fc.maxSafeNat(),
    service: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    method: fc.integer({ min: 0, max: 1 }),
    headers: fc.array(header, { maxLength: 6 }),
    payloadEncoding: fc.string({ maxLength: 10 }),
    payloadType: fc.string({ maxLength: 10 }),
    payload: fc.uint8Array({ maxLength: 300 }),
    LogIDNew: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: ['SeqID', 'LogID', 'service', 'method', 'headers'] },
);

/** The SDK decodes missing optional fields to prototype defaults; compare own fields only. */
function plain(frame: Record<string, unknown> & { headers: { key: string; value: string }[] }): Frame {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(frame)) out[key] = frame[key];
  out.headers = frame.headers.map((h) => ({ key: h.key, value: h.value }));
  if (out.payload instanceof Uint8Array) out.payload = new Uint8Array(out.payload);
  return out as unknown as Frame;
}

const normalise = (f: Frame): Frame => ({
  ...f,
  ...(f.payload ? { payload: new Uint8Array(f.payload) } : {}),
});

describe('pbbp2 codec', () => {
  it('round-trips any frame', () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        expect(normalise(decodeFrame(encodeFrame(frame)))).toEqual(normalise(frame));
      }),
      { numRuns: 300 },
    );
  });

  it('produces the same bytes as the SDK encoder and each decodes the other', () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const ours = encodeFrame(frame);
        const theirs = sdkFrame.encode(frame).finish();
        expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
        expect(normalise(plain(sdkFrame.decode(ours)))).toEqual(normalise(frame));
        expect(normalise(decodeFrame(theirs))).toEqual(normalise(frame));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a realistic data frame the SDK would answer', () => {
    const payload = new TextEncoder().encode(JSON.stringify({ schema: '2.0', header: { event_id: 'e' } }));
    const frame: Frame = {
      SeqID: 7,
      LogID: 7,
      service: 33554678,
      method: 1,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: 'm1' },
        { key: 'sum', value: '1' },
        { key: 'seq', value: '0' },
        { key: 'trace_id', value: 't' },
      ],
      payload,
    };
    const decoded = sdkFrame.decode(encodeFrame(frame));
    expect(decoded.method).toBe(1);
    expect(decoded.headers.find((h) => h.key === 'type')?.value).toBe('event');
    expect(new TextDecoder().decode(decoded.payload as Uint8Array)).toBe(new TextDecoder().decode(payload));
  });

  it('skips unknown fields and refuses frames missing required fields or truncated', () => {
    const base = encodeFrame({ SeqID: 1, LogID: 2, service: 3, method: 0, headers: [] });
    // field 15 varint 1, field 16 length-delimited "ab", field 17 fixed32
    const unknown = Uint8Array.from([
      ...base,
      0x78,
      0x01,
      0x82,
      0x01,
      0x02,
      0x61,
      0x62,
      0x8d,
      0x01,
      1,
      2,
      3,
      4,
    ]);
    expect(decodeFrame(unknown)).toEqual({ SeqID: 1, LogID: 2, service: 3, method: 0, headers: [] });
    expect(() => decodeFrame(Uint8Array.from([0x08, 0x01]))).toThrow();
    expect(() => decodeFrame(base.subarray(0, base.length - 1))).toThrow();
    const withHeader = encodeFrame({
      SeqID: 1,
      LogID: 2,
      service: 3,
      method: 0,
      headers: [{ key: 'k', value: 'v' }],
    });
    expect(() => decodeFrame(withHeader.subarray(0, withHeader.length - 2))).toThrow();
    const headerWithoutValue = Uint8Array.from([...base, 0x2a, 0x03, 0x0a, 0x01, 0x6b]);
    expect(() => decodeFrame(headerWithoutValue)).toThrow();
    expect(() => sdkFrame.decode(headerWithoutValue)).toThrow();
  });

  it('refuses values it cannot represent exactly', () => {
    expect(() => encodeFrame({ SeqID: 2 ** 60, LogID: 0, service: 0, method: 0, headers: [] })).toThrow(
      RangeError,
    );
    expect(() => encodeFrame({ SeqID: -1, LogID: 0, service: 0, method: 0, headers: [] })).toThrow(
      RangeError,
    );
  });
});
