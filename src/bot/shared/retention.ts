/** The kv prefix of anonymous report drafts: the reports intake writes them, retention drops expired ones. */
export const ANONYMOUS_DRAFT_PREFIX = 'reportdraft:';
