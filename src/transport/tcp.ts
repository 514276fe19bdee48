// The TCP socket API in process context (net/ipv4/tcp.c, tcp_ipv4.c,
// inet_connection_sock.c): connect, listen, accept, sendmsg, recvmsg and
// close, and tcp_set_state, which keeps CurrEstab and the socket tables right.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { MIB } from '../model/snmp.js';
import { Stage } from '../model/trace.js';
import { IPHDR_LEN, TCPHDR_LEN } from '../model/skb.js';
import { ipRouteOutput, routeSource } from '../routing/ip_output.js';
import { tcpEstabKey, txTruesize } from './sock.js';
import { TCPOLEN_TSTAMP_ALIGNED, TcpSock } from './tcp_sock.js';
import {
  EV, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LISTEN, TCP_STATE_NAMES, TCP_SYN_RECV,
  TCP_SYN_SENT, tcpNextState,
} from './tcp_states.js';
import { tcpNewWindow, tcpReceiveWindow, tcpSendSyn, tcpWriteXmit, tcpSendAck } from './tcp_output.js';
import { tcpAssignCongestionControl } from './tcp_cong.js';
import { tcpClearProbeTimer, tcpClearRto } from './tcp_timer.js';
import { ENETUNREACH } from './udp.js';
import { tcpInitBufferSpace, tcpRcvSpaceAdjust } from './tcp_buffers.js';
import { TCP_CHRONO_BUSY, tcpChronoStart } from './tcp_chrono.js';

/** tcp_set_state driven by the state machine; an impossible transition is a model bug. */
export function tcpSetState(host: Host, sk: TcpSock, event: number, _t: number): void {
  const next = tcpNextState(sk.state, event);
  if (next === 0) throw new Error(`TCP state machine has no transition from ${TCP_STATE_NAMES[sk.state]} on event ${event}`);
  const old = sk.state;
  const mib = host.snmp.v;
  const wasEstab = old === TCP_ESTABLISHED || old === TCP_CLOSE_WAIT;
  const isEstab = next === TCP_ESTABLISHED || next === TCP_CLOSE_WAIT;
  if (wasEstab && !isEstab) mib[MIB.TcpCurrEstab]--;
  if (!wasEstab && isEstab) mib[MIB.TcpCurrEstab]++;
  if (next === TCP_CLOSE && wasEstab && event === EV.RCV_RST) mib[MIB.TcpEstabResets]++;
  sk.state = next;
  if (next === TCP_CLOSE) tcpUnhash(host, sk);
  // tcp_init_transfer: the handshake is over (either side).
  if (next === TCP_ESTABLISHED && (old === TCP_SYN_SENT || old === TCP_SYN_RECV)) tcpInitBufferSpace(host, sk, _t);
}

/** Removes a socket from the lookup tables (inet_unhash). */
export function tcpUnhash(host: Host, sk: TcpSock): void {
  const key = tcpEstabKey(sk.sport, sk.dport);
  const list = host.sockets.tcpEstab.get(key);
  if (list) {
    const i = list.indexOf(sk);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) host.sockets.tcpEstab.delete(key);
  }
  if (host.sockets.tcpListen.get(sk.sport) === sk) host.sockets.tcpListen.delete(sk.sport);
}

/** tcp_done: the connection is over; the owner learns of it. */
export function tcpDone(host: Host, sk: TcpSock, t: number): void {
  tcpClearRto(sk);
  tcpClearProbeTimer(sk);
  sk.rackGen++;
  sk.delackArmed = false;
  if (sk.state !== TCP_CLOSE) {
    const old = sk.state;
    sk.state = TCP_CLOSE;
    if (old === TCP_ESTABLISHED || old === TCP_CLOSE_WAIT) host.snmp.v[MIB.TcpCurrEstab]--;
    tcpUnhash(host, sk);
  }
  sk.rtx.length = 0;
  if (sk.owner) {
    sk.owner.onConnected(sk, t);
    sk.owner.onReadable(sk, t);
    sk.owner.onWriteSpace(sk, t);
  }
}

export function tcpHash(host: Host, sk: TcpSock): void {
  const key = tcpEstabKey(sk.sport, sk.dport);
  let list = host.sockets.tcpEstab.get(key);
  if (!list) host.sockets.tcpEstab.set(key, (list = []));
  list.push(sk);
}

/** Creates a TCP socket with the host's default buffers (tcp_rmem[1], tcp_wmem[1]). */
export function tcpCreateSock(host: Host): TcpSock {
  const sk = new TcpSock(host, host.sysctl.getVector('net.ipv4.tcp_rmem')[1]!, host.sysctl.getVector('net.ipv4.tcp_wmem')[1]!);
  const rmemMax = Math.max(host.sysctl.getVector('net.ipv4.tcp_rmem')[2]!, host.sysctl.get('net.core.rmem_max'));
  // tcp_select_initial_window: the scale that lets the largest buffer be advertised.
  let ws = 0;
  while (ws < 14 && 65535 * 2 ** ws < rmemMax) ws++;
  sk.rcvWscale = host.sysctl.get('net.ipv4.tcp_window_scaling') ? ws : 0;
  sk.tsEnabled = host.sysctl.get('net.ipv4.tcp_timestamps') !== 0;
  sk.sackOk = host.sysctl.get('net.ipv4.tcp_sack') !== 0;
  sk.tsOffset = host.random.nextU32();
  sk.reordering = host.sysctl.get('net.ipv4.tcp_reordering');
  sk.ca = tcpAssignCongestionControl(host.sysctl.get('net.ipv4.tcp_congestion_control'));
  host.sockets.all.push(sk);
  return sk;
}

/** MSS the route allows: MTU − 40, minus timestamps for the sending MSS. */
export function tcpMssFromMtu(mtu: number): number {
  return mtu - IPHDR_LEN - TCPHDR_LEN;
}

/** inet_bind/listen. */
export function tcpListen(host: Host, sk: TcpSock, addr: number, port: number, backlog: number): void {
  sk.saddr = addr;
  sk.sport = port;
  sk.backlog = Math.min(backlog, host.sysctl.get('net.core.somaxconn'));
  sk.state = TCP_LISTEN;
  host.sockets.tcpListen.set(port, sk);
}

/** inet_csk_get_port for an autobind: the next port in ip_local_port_range. */
export function allocEphemeralPort(host: Host): number {
  const [lo, hi] = host.sysctl.getVector('net.ipv4.ip_local_port_range') as [number, number];
  const t = host.sockets;
  if (t.nextEphemeral < lo || t.nextEphemeral > hi) t.nextEphemeral = lo + (host.random.nextU32() % (hi - lo + 1));
  const p = t.nextEphemeral;
  t.nextEphemeral = p >= hi ? lo : p + 1;
  return p;
}

/** tcp_v4_connect: picks the route, source and port, sends the SYN. Returns 0 or -errno. */
export function tcpConnect(host: Host, cpu: Cpu, sk: TcpSock, daddr: number, dport: number): number {
  cpu.charge(host.costs.syscall);
  const rt = ipRouteOutput(host, daddr);
  if (!rt) {
    host.snmp.v[MIB.IpOutNoRoutes]++;
    return -ENETUNREACH;
  }
  sk.route = rt;
  sk.daddr = daddr;
  sk.dport = dport;
  if (!sk.saddr) sk.saddr = routeSource(host, rt, daddr);
  if (!sk.sport) sk.sport = allocEphemeralPort(host);
  sk.pmtu = rt.mtu || rt.dev!.mtu;
  sk.advmss = tcpMssFromMtu(sk.pmtu);
  sk.iss = host.random.nextU32() >>> 1;
  sk.sndUna = sk.iss;
  sk.sndNxt = sk.iss;
  tcpSetState(host, sk, EV.CONNECT, cpu.now);
  tcpHash(host, sk);
  host.snmp.v[MIB.TcpActiveOpens]++;
  tcpSendSyn(host, cpu, sk, false);
  return 0;
}

/** inet_csk_accept: the next established child, or null. */
export function tcpAccept(sk: TcpSock): TcpSock | null {
  const child = sk.acceptQueue.shift() ?? null;
  if (child) child.parent = null;
  return child;
}

/**
 * tcp_sendmsg: copies what fits under sk_sndbuf into the write queue and
 * pushes it. Returns the bytes taken (0 means the caller must block).
 */
export function tcpSendmsg(host: Host, cpu: Cpu, sk: TcpSock, bytes: number): number {
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT) return -(sk.err || 32);
  cpu.charge(host.costs.syscall);
  // tcp_rate_check_app_limited: less than a segment waiting, nothing in the qdisc or the NIC
  // (sk_wmem_alloc below SKB_TRUESIZE(1)), cwnd not full, no lost segment unrepaired.
  if (sk.unsent < sk.mss && sk.wmemAlloc < txTruesize(1) && sk.inFlightSegs < sk.cwnd && sk.lostOut <= sk.retransOut) {
    sk.appLimited = (sk.delivered + sk.inFlightSegs) >>> 0 || 1;
  }
  const room = sk.sndbuf - sk.wmemQueued;
  // SOCK_NOSPACE: the writer will wait for tcp_new_space.
  if (room < bytes) sk.sndNoSpace = true;
  if (room <= 0) return 0;
  const n = Math.min(room, bytes);
  cpu.charge(host.costs.copy_per_byte * n);
  // tcp_add_write_queue_tail: the first skb of an empty write queue starts the busy clock.
  if (sk.unsent <= 0) tcpChronoStart(sk, TCP_CHRONO_BUSY, sk.tcpClock);
  sk.written += n;
  sk.writeTimes.push(sk.written, cpu.now);
  if (sk.writeTimes.length > 64) sk.writeTimes.splice(0, sk.writeTimes.length - 64);
  tcpWriteXmit(host, cpu, sk);
  return n;
}

/**
 * tcp_recvmsg: copies queued in-order data to the application (step 11).
 * Returns bytes read, 0 at end of stream, or -1 when it would block.
 */
export function tcpRecvmsg(host: Host, cpu: Cpu, sk: TcpSock, maxBytes: number): number {
  let read = 0;
  while (read < maxBytes) {
    const skb = sk.receiveQueue.peek();
    if (!skb) break;
    sk.receiveQueue.shift();
    cpu.charge(host.costs.copy_per_byte * skb.payloadLen);
    sk.rmemAlloc -= skb.truesize;
    sk.rcvQueued -= skb.payloadLen;
    // The receive queue holds in-order data only: each skb starts where the last one ended.
    if (skb.seq !== sk.copiedSeq) throw new Error(`tcp_recvmsg: gap in the receive queue: skb seq ${skb.seq} but copied_seq ${sk.copiedSeq}`);
    sk.copiedSeq += skb.payloadLen;
    read += skb.payloadLen;
    host.world.packets.delivered++;
    host.world.appRecvLatency?.record(cpu.now - skb.tstamp, skb.payloadLen);
    if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, undefined, skb, Stage.APP_RECV,
      `${sk.owner?.comm ?? 'app'} (pid ${sk.owner?.pid ?? 0}) read() copies ${skb.payloadLen} bytes to user space; rmem ${sk.rmemAlloc}/${sk.rcvbuf}`,
      'consume', undefined, 'tcp_recvmsg', sk.owner?.pid);
  }
  if (read > 0) {
    cpu.charge(host.costs.syscall);
    tcpRcvSpaceAdjust(host, sk, cpu.now);
    // tcp_cleanup_rbuf: a window at least twice what is left of the advertised one is announced at once.
    const now = tcpReceiveWindow(sk);
    const next = tcpNewWindow(sk);
    if (next > 0 && next >= 2 * now && (sk.state === TCP_ESTABLISHED || sk.state === TCP_FIN_WAIT1 || sk.state === TCP_FIN_WAIT2)) tcpSendAck(host, cpu, sk);
    return read;
  }
  if (sk.finReceived || sk.state === TCP_CLOSE) return 0;
  return -1;
}

/** tcp_close: queue a FIN after the data (or abort a half-open connection). */
export function tcpClose(host: Host, cpu: Cpu, sk: TcpSock): void {
  cpu.charge(host.costs.syscall);
  if (sk.state === TCP_LISTEN) {
    tcpSetState(host, sk, EV.CLOSE, cpu.now);
    return;
  }
  if (sk.state === TCP_SYN_SENT) {
    tcpDone(host, sk, cpu.now);
    return;
  }
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT) return;
  tcpSetState(host, sk, EV.CLOSE, cpu.now);
  sk.finQueued = true;
  tcpWriteXmit(host, cpu, sk);
}

/** The effective sending MSS once options are known (tcp_sync_mss). */
export function tcpSyncMss(sk: TcpSock, peerMss: number): void {
  const own = tcpMssFromMtu(sk.pmtu);
  const base = Math.min(peerMss > 0 ? peerMss : 536, own);
  sk.mss = base - (sk.tsEnabled ? TCPOLEN_TSTAMP_ALIGNED : 0);
  sk.rcvMss = Math.min(sk.advmss, base) - (sk.tsEnabled ? TCPOLEN_TSTAMP_ALIGNED : 0);
}
