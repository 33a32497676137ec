// Every test file's process gets the fix for Miniflare's synchronous calls before any Miniflare is made
// (see miniflare-sync.ts).
import { fixMiniflareSyncFetch } from './miniflare-sync';

fixMiniflareSyncFetch();
