import { createHash, randomBytes } from 'node:crypto';

/** Open API routes the emulator serves; `failNext` targets one of them. */
export type ApiRoute =
  | 'token'
  | 'send'
  | 'reply'
  | 'patch'
  | 'urgent'
  | 'user'
  | 'department_users'
  | 'department_children'
  | 'members'
  | 'resource'
  | 'upload'
  | 'card_update'
  | 'bot';

export interface EmulatedUser {
  openId: string;
  name: string;
  userId: string;
  unionId: string;
  /** false: the user is outside the app's availability (sends fail with 230013, lookups with 41050). */
  available: boolean;
  email?: string;
  jobTitle?: string;
  /** The open_department_id the user sits in directly; absent: the root department (0). */
  departmentId?: string;
}

/** A department of the emulated tenant's org chart; the root (0) is implicit. */
export interface EmulatedDepartment {
  openDepartmentId: string;
  name: string;
  parentId: string;
}

/** The default org chart: a sub-department nested inside another, so lookups must walk the tree. */
export const DEFAULT_DEPARTMENTS: EmulatedDepartment[] = [
  { openDepartmentId: 'od-enforcement', name: '执法大队', parentId: '0' },
  { openDepartmentId: 'od-enforcement-team1', name: '执法一科', parentId: 'od-enforcement' },
  { openDepartmentId: 'od-enforcement-team2', name: '执法二科', parentId: 'od-enforcement' },
];

export interface EmulatedChat {
  chatId: string;
  name: string;
  chatType: 'p2p' | 'group';
  /** open_ids of the human members, in join order (the bot is tracked by botMember). */
  members: string[];
  botMember: boolean;
  p2pOpenId?: string;
}

export interface EmulatedMessage {
  messageId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  /** 'app': sent by the bot through the Open API; 'user': delivered to the app as an event. */
  from: 'app' | 'user';
  senderOpenId?: string;
  receiveIdType: 'open_id' | 'chat_id' | 'user_id' | 'union_id';
  receiveId: string;
  msgType: string;
  /** The current content, parsed from the JSON string the API carries. */
  content: unknown;
  /** Every content the message has had, oldest first; each PATCH or card replacement appends one. */
  versions: unknown[];
  uuid?: string;
  urgentTo: string[];
  replyTo?: string;
  rootId?: string;
  createdAt: number;
  updatedAt: number;
}

export interface StoredFile {
  key: string;
  fileName: string;
  fileType: string;
  dataBase64: string;
}

export interface CardToken {
  token: string;
  messageId: string;
  openId: string;
  issuedAt: number;
  uses: number;
  /** true while the callback that issued the token is still waiting for the app's answer. */
  inFlight: boolean;
}

export interface IssuedToken {
  token: string;
  expiresAtMs: number;
  valid: boolean;
}

export interface Fault {
  status?: number;
  code?: number;
  times: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  route?: ApiRoute;
  status: number;
  code: number;
  at: number;
}

/** A card the platform would not take, and where it came from. */
export interface CardRefusalEntry {
  route: 'send' | 'reply' | 'patch' | 'card_update' | 'callback';
  messageId?: string;
  code: number;
  msg: string;
  findings: { rule: string; path: string; detail: string }[];
  at: number;
}

export interface DeliveryLogEntry {
  kind: 'event' | 'card';
  eventType: string;
  eventId: string;
  status: number;
  ms: number;
  at: number;
}

/** Everything the emulated platform knows, as plain JSON-serialisable data. */
export interface EmulatorState {
  users: Record<string, EmulatedUser>;
  departments: Record<string, EmulatedDepartment>;
  chats: Record<string, EmulatedChat>;
  messages: EmulatedMessage[];
  uuids: Record<string, { messageId: string; at: number }>;
  tokens: Record<string, IssuedToken>;
  files: Record<string, StoredFile>;
  cardTokens: Record<string, CardToken>;
  faults: Partial<Record<ApiRoute, Fault[]>>;
  requestLog: RequestLogEntry[];
  deliveryLog: DeliveryLogEntry[];
  cardRefusals: CardRefusalEntry[];
}

export function emptyState(): EmulatorState {
  return {
    users: {},
    departments: Object.fromEntries(DEFAULT_DEPARTMENTS.map((d) => [d.openDepartmentId, { ...d }])),
    chats: {},
    messages: [],
    uuids: {},
    tokens: {},
    files: {},
    cardTokens: {},
    faults: {},
    requestLog: [],
    deliveryLog: [],
    cardRefusals: [],
  };
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A deterministic hex digest, for ids that must stay stable across runs (p2p chats, derived user ids). */
export function stableHex(seed: string, length: number): string {
  return createHash('sha256').update(seed, 'utf8').digest('hex').slice(0, length);
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function newTenantToken(): string {
  const bytes = randomBytes(40);
  let out = 't-g';
  for (const b of bytes) out += TOKEN_ALPHABET[b % TOKEN_ALPHABET.length];
  return out;
}

export const ids = {
  message: () => `om_${randomHex(16)}`,
  event: () => randomHex(16),
  chat: () => `oc_${randomHex(16)}`,
  file: () => `file_v3_00${randomHex(4)}_${randomHex(12)}`,
  cardToken: () => `c-${randomHex(20)}`,
  logId: () => `02${randomHex(16)}`,
  nonce: () => String(randomBytes(4).readUInt32BE(0)),
};
