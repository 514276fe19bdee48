// Shared by the TCP tests.

import { TcpSock } from '../../src/transport/tcp_sock.js';
import { TCP_LISTEN } from '../../src/transport/tcp_states.js';
import type { World } from '../../src/model/world.js';

/** What tcpPair varies: sysctls are `key: value` lists, `link` the link's options. */
export interface TcpPairOptions {
  seed?: number;
  duration?: string;
  client?: string;
  server?: string;
  listen?: string;
  link?: string;
  bytes?: string;
}

/** A scenario of two hosts on one link, the client sending `bytes` to the server's tcp:5001 from 1 ms. */
export function tcpPair(o: TcpPairOptions = {}): string {
  return `name: t
seed: ${o.seed ?? 1}
duration: ${o.duration ?? '3s'}
hosts:
  client:
    nics: { eth0: { addr: 10.0.0.1/24 } }
${o.client ? `    sysctl: { ${o.client} }\n` : ''}  server:
    nics: { eth0: { addr: 10.0.0.2/24 } }
${o.server ? `    sysctl: { ${o.server} }\n` : ''}    listen: [ ${o.listen ?? 'tcp:5001'} ]
links:
  - { a: client:eth0, b: server:eth0, ${o.link ?? 'rate: 1Gbit, delay: 5ms'} }
traffic:
  - { from: client, kind: tcp, to: 10.0.0.2:5001, bytes: ${o.bytes ?? '8MB'}, at: 1ms }
`;
}

/** The connection's socket on `host` (not the listener). */
export function connectedSock(w: World, host: string): TcpSock {
  return w.host(host).sockets.all.find((s): s is TcpSock => s instanceof TcpSock && s.dport !== 0 && s.state !== TCP_LISTEN)!;
}
