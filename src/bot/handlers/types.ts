import type { ActionData, ActionId } from '../../../cards/actions';
import type { CardAction, IncomingMessage } from '../../lark/envelope';
import type { Ctx } from '../context';

/** A message as a feature sees it; also built from a help-card button (then it has no message id). */
export interface Said {
  openId: string;
  chatId?: string;
  chatType: 'p2p' | 'group';
  messageId?: string;
  /** Normalised for matching: NFKC, no spaces, no mention placeholders, lower case. */
  words: string;
  /** What was typed, trimmed, mention placeholders removed. */
  text: string;
  mentions: IncomingMessage['mentions'];
  /** The bot's own open_id when known: its mention is not one of the people mentioned. */
  botOpenId?: string;
  kind: IncomingMessage['kind'];
  file?: IncomingMessage['file'];
  imageKey?: string;
}

/** A click on action K, its `value` already checked by K's schema (`cards/actions.ts`). */
export type ActionHandler<K extends ActionId = ActionId> = (
  ctx: Ctx,
  action: CardAction & { value: ActionData<K> },
) => Promise<void>;

/** A feature's card actions, by id: only an id with a schema can have a handler. */
export type ActionHandlers = { [K in ActionId]?: ActionHandler<K> };

/**
 * One part of the conversation (setup, intake, cases, deliberation, reports). Features are tried in order;
 * `onMessage` returns true when it handled the message. Card actions are keyed by `value.a`; two features
 * answering the same id is refused when the router is built.
 */
export interface Feature {
  name: string;
  onMessage?(ctx: Ctx, said: Said): Promise<boolean>;
  /** A message recorded without its sender (src/bot/redact.ts): only a feature that claims it may answer. */
  onAnonymousMessage?(ctx: Ctx, said: Said): Promise<boolean>;
  actions?: ActionHandlers;
  /** After any card action was handled (whoever handled it), e.g. to bring the clicked card up to date. */
  afterAction?(ctx: Ctx, action: CardAction): void;
  onP2pEntered?(ctx: Ctx, openId: string): Promise<boolean>;
  onBotAdded?(ctx: Ctx, chatId: string, operatorOpenId?: string): Promise<void>;
}

/** Answers where the user spoke: a reply to their message, or a message in the chat they are in. */
export function answer(ctx: Ctx, said: Said, card: object, ref?: string): void {
  if (said.messageId)
    ctx.fx.reply(
      said.messageId,
      card,
      ref,
      said.chatType === 'group' && said.chatId ? { chatId: said.chatId } : { openId: said.openId },
    );
  else if (said.chatType === 'group' && said.chatId) ctx.fx.send({ chatId: said.chatId }, card, ref);
  else ctx.fx.send({ openId: said.openId }, card, ref);
}
