import type * as Sdk from '@larksuiteoapi/node-sdk';

// Cloudflare's documented user agent; Node has no navigator.
const onWorkers =
  (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';
const nodeModule = onWorkers
  ? undefined
  : ((globalThis.process as { getBuiltinModule?: (id: string) => unknown } | undefined)?.getBuiltinModule?.(
      'node:module',
    ) as typeof import('node:module') | undefined);

/**
 * The Lark SDK. On Node its CommonJS build is required: Node's ESM loader reading the same 6 MB bundle keeps
 * about 80 MB more resident. The Workers bundle takes the module build.
 */
export const lark: typeof Sdk = nodeModule
  ? (nodeModule.createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Sdk)
  : await import('@larksuiteoapi/node-sdk');
