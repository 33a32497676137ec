// Preloaded into a child process (node --import): records every outgoing connection and DNS lookup to
// $NET_LOG, one line each, and refuses any that is not loopback, so a test can show nothing left 127.0.0.1.

import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const log = process.env.NET_LOG;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const note = (line) => {
  if (log) appendFileSync(log, `${line}\n`);
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const opts = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  if (opts.path) {
    note(`unix:${opts.path}`);
    return connect.apply(this, args);
  }
  const host = String(opts.host ?? 'localhost');
  note(`connect:${host}:${opts.port}`);
  if (!LOOPBACK.has(host)) {
    process.nextTick(() => this.destroy(new Error(`blocked connection to ${host}`)));
    return this;
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  note(`lookup:${hostname}`);
  return lookup.call(this, LOOPBACK.has(hostname) ? hostname : 'blocked.invalid', ...rest);
};
