import type { LarkEmulator } from './emulator';
import { createWsEndpoint, type WsEndpoint } from './ws-endpoint';

/**
 * Switches the emulator to deliver events and card callbacks over the long connection, as the platform
 * does when the app subscribes that way: the app's WSClient asks /callback/ws/endpoint and connects.
 */
export function enableLongConnection(emu: LarkEmulator, appId: string, appSecret: string): WsEndpoint {
  const endpoint = createWsEndpoint({ appId, appSecret, publicBaseUrl: () => emu.url });
  emu.route('POST', '/callback/ws/endpoint', (_req, res, body) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const r = endpoint.handleEndpointRequest(parsed);
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.json));
  });
  endpoint.attach(emu.server);
  emu.connectTransport(async (kind, envelope) => {
    if (kind === 'card') return { status: 200, json: await endpoint.pushCard(envelope) };
    const ack = (await endpoint.pushEvent(envelope)) as { code?: number } | undefined;
    return { status: ack?.code ?? 0, json: ack };
  });
  return endpoint;
}
