// Shared by the TCP tests.

import { TcpSock } from '../../src/transport/tcp_sock.js';
import { TCP_LISTEN } from '../../src/transport/tcp_states.js';
import type { World } from '../../src/model/world.js';

/** The connection's socket on `host` (not the listener). */
export function connectedSock(w: World, host: string): TcpSock {
  return w.host(host).sockets.all.find((s): s is TcpSock => s instanceof TcpSock && s.dport !== 0 && s.state !== TCP_LISTEN)!;
}
