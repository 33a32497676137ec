// Minimal codec for the long connection's `pbbp2.Frame` (proto2), wire-compatible with the SDK's schema:
//   Header { required string key = 1; required string value = 2; }
//   Frame  { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3;
//            required int32 method = 4; repeated Header headers = 5; optional string payloadEncoding = 6;
//            optional string payloadType = 7; optional bytes payload = 8; optional string LogIDNew = 9; }

export interface FrameHeader {
  key: string;
  value: string;
}

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  /** 0 = control (ping/pong), 1 = data (event/card). */
  method: number;
  headers: FrameHeader[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}

export const FrameMethod = { control: 0, data: 1 } as const;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

class Writer {
  private readonly chunks: number[] = [];

  varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v > 0x7fn) {
      this.chunks.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.chunks.push(Number(v));
  }

  tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(BigInt(data.length));
    for (const b of data) this.chunks.push(b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function toBigInt(value: number, name: string): bigint {
  if (!Number.isSafeInteger(value)) throw new RangeError(`frame field ${name} must be a safe integer`);
  return BigInt(value);
}

function encodeHeader(header: FrameHeader): Uint8Array {
  const w = new Writer();
  w.bytes(1, utf8.encode(header.key));
  w.bytes(2, utf8.encode(header.value));
  return w.finish();
}

export function encodeFrame(frame: Frame): Uint8Array {
  const w = new Writer();
  if (frame.SeqID < 0 || frame.LogID < 0) throw new RangeError('frame SeqID and LogID are unsigned');
  w.tag(1, WIRE_VARINT);
  w.varint(toBigInt(frame.SeqID, 'SeqID'));
  w.tag(2, WIRE_VARINT);
  w.varint(toBigInt(frame.LogID, 'LogID'));
  // int32 negatives are sign-extended to 64 bits on the wire, as protobuf specifies.
  w.tag(3, WIRE_VARINT);
  w.varint(BigInt(frame.service | 0));
  w.tag(4, WIRE_VARINT);
  w.varint(BigInt(frame.method | 0));
  for (const header of frame.headers) w.bytes(5, encodeHeader(header));
  if (frame.payloadEncoding !== undefined) w.bytes(6, utf8.encode(frame.payloadEncoding));
  if (frame.payloadType !== undefined) w.bytes(7, utf8.encode(frame.payloadType));
  if (frame.payload !== undefined) w.bytes(8, frame.payload);
  if (frame.LogIDNew !== undefined) w.bytes(9, utf8.encode(frame.LogIDNew));
  return w.finish();
}

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    readonly end: number = buf.length,
  ) {}

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new RangeError('varint too long');
  }

  lengthDelimited(): Uint8Array {
    const len = Number(this.varint());
    if (len > this.end - this.pos) throw new RangeError('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.lengthDelimited();
    else if (wire === WIRE_FIXED64 || wire === WIRE_FIXED32) {
      const n = wire === WIRE_FIXED64 ? 8 : 4;
      if (n > this.end - this.pos) throw new RangeError('truncated field');
      this.pos += n;
    } else throw new RangeError(`unsupported wire type ${wire}`);
  }
}

function uint64ToNumber(v: bigint): number {
  return Number(BigInt.asUintN(64, v));
}

function int32ToNumber(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

function decodeHeader(bytes: Uint8Array): FrameHeader {
  const r = new Reader(bytes);
  let key: string | undefined;
  let value: string | undefined;
  while (r.pos < r.end) {
    const tag = Number(r.varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_LEN) key = utf8Decoder.decode(r.lengthDelimited());
    else if (field === 2 && wire === WIRE_LEN) value = utf8Decoder.decode(r.lengthDelimited());
    else r.skip(wire);
  }
  if (key === undefined || value === undefined) throw new Error('frame header misses a required field');
  return { key, value };
}

export function decodeFrame(bytes: Uint8Array): Frame {
  const r = new Reader(bytes);
  const seen = new Set<number>();
  const frame: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] };
  while (r.pos < r.end) {
    const tag = Number(r.varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    const expectsVarint = field >= 1 && field <= 4;
    const expectsLen = field >= 5 && field <= 9;
    if ((expectsVarint && wire !== WIRE_VARINT) || (expectsLen && wire !== WIRE_LEN)) {
      throw new Error(`frame field ${field} has wire type ${wire}`);
    }
    seen.add(field);
    switch (field) {
      case 1:
        frame.SeqID = uint64ToNumber(r.varint());
        break;
      case 2:
        frame.LogID = uint64ToNumber(r.varint());
        break;
      case 3:
        frame.service = int32ToNumber(r.varint());
        break;
      case 4:
        frame.method = int32ToNumber(r.varint());
        break;
      case 5:
        frame.headers.push(decodeHeader(r.lengthDelimited()));
        break;
      case 6:
        frame.payloadEncoding = utf8Decoder.decode(r.lengthDelimited());
        break;
      case 7:
        frame.payloadType = utf8Decoder.decode(r.lengthDelimited());
        break;
      case 8:
        frame.payload = r.lengthDelimited().slice();
        break;
      case 9:
        frame.LogIDNew = utf8Decoder.decode(r.lengthDelimited());
        break;
      default:
        r.skip(wire);
    }
  }
  for (const required of [1, 2, 3, 4]) {
    if (!seen.has(required)) throw new Error(`frame misses required field ${required}`);
  }
  return frame;
}

export function frameHeader(frame: Frame, key: string): string | undefined {
  return frame.headers.find((h) => h.key === key)?.value;
}
