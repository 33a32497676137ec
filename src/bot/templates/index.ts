import type { LiveCards, TemplateRenderer } from './types';

/** Every template the core can emit, by name; slices add theirs. Unknown names fall back to a plain card. */
export const templates: Record<string, TemplateRenderer> = {};

export const liveCards: LiveCards = {};

export function registerTemplates(more: Record<string, TemplateRenderer>, live: LiveCards = {}): void {
  Object.assign(templates, more);
  Object.assign(liveCards, live);
}
