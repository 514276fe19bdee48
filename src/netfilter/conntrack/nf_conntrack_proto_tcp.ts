// TCP connection tracking (net/netfilter/nf_conntrack_proto_tcp.c): the state
// transition table, the window check and the per-state timeouts.
//
// tcp_in_window is followed line for line, with these simplifications: no NAT
// sequence adjustment (nf_ct_seq_offset is 0: no helper mangles payloads), no
// checksum check (the model does not corrupt checksums), and no SYN proxy.

import { type Skb, TCPHDR } from '../../model/skb.js';
import { IP_CT, IPS } from '../nf_conntrack_common.js';
import { NF } from '../hooks.js';
import { Ct, type NfConn, TCP_CONNTRACK } from './nf_conn.js';
import { HZ, IP_CT_DIR } from './nf_conntrack_tuple.js';
import { IPCT, type L4Context, NF_CT } from './nf_conntrack_l4proto.js';
import type { ConntrackSysctls } from './nf_conntrack_sysctl.js';

/** enum tcp_bit_set: the row of tcp_conntracks a segment selects (TCP_SYN_SET is TCP_BIT_SET.SYN). */
export const enum TCP_BIT_SET {
  SYN = 0,
  SYNACK = 1,
  FIN = 2,
  ACK = 3,
  RST = 4,
  NONE = 5,
}

/** struct ip_ct_tcp_state flags (include/uapi/linux/netfilter/nf_conntrack_tcp.h). */
export const enum IP_CT_TCP_FLAG {
  WINDOW_SCALE = 0x01,
  SACK_PERM = 0x02,
  CLOSE_INIT = 0x04,
  BE_LIBERAL = 0x08,
  DATA_UNACKNOWLEDGED = 0x10,
  MAXACK_SET = 0x20,
}
const IP_CT_EXP_CHALLENGE_ACK = 0x40;
const IP_CT_TCP_SIMULTANEOUS_OPEN = 0x80;

const TCP_MAX_WSCALE = 14;
/** MAXACKWINCONST: lower bound of the acceptable-ACK window. */
const MAXACKWINCONST = 66000;

const sNO = TCP_CONNTRACK.NONE, sSS = TCP_CONNTRACK.SYN_SENT, sSR = TCP_CONNTRACK.SYN_RECV;
const sES = TCP_CONNTRACK.ESTABLISHED, sFW = TCP_CONNTRACK.FIN_WAIT, sCW = TCP_CONNTRACK.CLOSE_WAIT;
const sLA = TCP_CONNTRACK.LAST_ACK, sTW = TCP_CONNTRACK.TIME_WAIT, sCL = TCP_CONNTRACK.CLOSE;
const sS2 = TCP_CONNTRACK.SYN_SENT2, sIV = TCP_CONNTRACK.MAX, sIG = TCP_CONNTRACK.IGNORE;
void sNO;

/**
 * tcp_conntracks[dir][index][old_state], copied from nf_conntrack_proto_tcp.c (6.x).
 * Columns: sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2.
 */
export const TCP_CONNTRACKS: readonly (readonly (readonly number[])[])[] = [
  [ // ORIGINAL
    /* syn    */ [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
    /* synack */ [sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR],
    /* fin    */ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /* ack    */ [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
    /* rst    */ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
  [ // REPLY
    /* syn    */ [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2],
    /* synack */ [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    /* fin    */ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /* ack    */ [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
    /* rst    */ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
];

/** Timeout (seconds) of each state, indexed like tcp_timeouts[], including RETRANS (12) and UNACK (13). */
function tcpTimeoutSecs(s: ConntrackSysctls, state: number): number {
  switch (state) {
    case TCP_CONNTRACK.SYN_SENT: return s.nf_conntrack_tcp_timeout_syn_sent;
    case TCP_CONNTRACK.SYN_RECV: return s.nf_conntrack_tcp_timeout_syn_recv;
    case TCP_CONNTRACK.ESTABLISHED: return s.nf_conntrack_tcp_timeout_established;
    case TCP_CONNTRACK.FIN_WAIT: return s.nf_conntrack_tcp_timeout_fin_wait;
    case TCP_CONNTRACK.CLOSE_WAIT: return s.nf_conntrack_tcp_timeout_close_wait;
    case TCP_CONNTRACK.LAST_ACK: return s.nf_conntrack_tcp_timeout_last_ack;
    case TCP_CONNTRACK.TIME_WAIT: return s.nf_conntrack_tcp_timeout_time_wait;
    case TCP_CONNTRACK.CLOSE: return s.nf_conntrack_tcp_timeout_close;
    // SYN_SENT2 has its own slot in tcp_timeouts[] holding the SYN_SENT default; there is no sysctl for it.
    case TCP_CONNTRACK.SYN_SENT2: return s.nf_conntrack_tcp_timeout_syn_sent;
    case TCP_CONNTRACK.RETRANS: return s.nf_conntrack_tcp_timeout_max_retrans;
    case TCP_CONNTRACK.UNACK: return s.nf_conntrack_tcp_timeout_unacknowledged;
    default: return s.nf_conntrack_tcp_timeout_syn_sent;
  }
}

/**
 * nf_tcp_net->timeouts: the sysctls in jiffies, indexed by state (the proc
 * handler converts on every write), so a segment reads its timeouts from a
 * table rather than from the sysctl object.
 */
export function tcpTimeouts(s: ConntrackSysctls, out: Float64Array = new Float64Array(TCP_CONNTRACK.UNACK + 1)): Float64Array {
  for (let state = 0; state <= TCP_CONNTRACK.UNACK; state++) out[state] = tcpTimeoutSecs(s, state) * HZ;
  return out;
}

/** get_conntrack_index. */
export function getConntrackIndex(flags: number): number {
  if (flags & TCPHDR.RST) return TCP_BIT_SET.RST;
  if (flags & TCPHDR.SYN) return flags & TCPHDR.ACK ? TCP_BIT_SET.SYNACK : TCP_BIT_SET.SYN;
  if (flags & TCPHDR.FIN) return TCP_BIT_SET.FIN;
  if (flags & TCPHDR.ACK) return TCP_BIT_SET.ACK;
  return TCP_BIT_SET.NONE;
}

/** tcp_valid_flags: the combinations tcp_error accepts (PSH, ECE and CWR always allowed). */
const TCP_VALID_FLAGS = new Uint8Array(TCPHDR.FIN | TCPHDR.SYN | TCPHDR.RST | TCPHDR.ACK | TCPHDR.URG | 1);
for (const f of [TCPHDR.SYN, TCPHDR.SYN | TCPHDR.URG, TCPHDR.SYN | TCPHDR.ACK, TCPHDR.RST, TCPHDR.RST | TCPHDR.ACK, TCPHDR.FIN | TCPHDR.ACK,
  TCPHDR.FIN | TCPHDR.ACK | TCPHDR.URG, TCPHDR.ACK, TCPHDR.ACK | TCPHDR.URG]) TCP_VALID_FLAGS[f] = 1;

/** tcp_error: true for a segment the tracker refuses outright (e.g. SYN+FIN, a bare FIN, no flags). */
export function tcpError(skb: Skb): boolean {
  const f = skb.tcpFlags & ~(TCPHDR.ECE | TCPHDR.CWR | TCPHDR.PSH) & 0xff;
  return f >= TCP_VALID_FLAGS.length || TCP_VALID_FLAGS[f] === 0;
}

/** before()/after() of include/net/tcp.h on 32-bit sequence numbers. */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
function after(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** segment_seq_plus_len: the sequence number just past this segment. */
function segmentEnd(skb: Skb): number {
  const f = skb.tcpFlags;
  return (skb.seq + skb.payloadLen + (f & TCPHDR.SYN ? 1 : 0) + (f & TCPHDR.FIN ? 1 : 0)) | 0;
}

/** struct ip_ct_tcp_state, loaded from and stored back into the NfConn fields (scratch, never retained). */
class TcpSeen {
  end = 0;
  maxend = 0;
  maxwin = 0;
  scale = 0;
  flags = 0;
  maxack = 0;
}
const SENDER = new TcpSeen();
const RECEIVER = new TcpSeen();
const IGNORED = new TcpSeen();

function load(ct: NfConn, dir: number, s: TcpSeen): TcpSeen {
  const w = ct.store.words;
  const b = ct.base + dir;
  const flags = w[b + Ct.TD_FLAGS]!;
  s.end = w[b + Ct.TD_END]!;
  s.maxend = w[b + Ct.TD_MAXEND]!;
  s.maxwin = w[b + Ct.TD_MAXWIN]!;
  s.flags = flags & 0xff;
  s.scale = (flags >>> 8) & 0xf;
  s.maxack = w[b + Ct.TD_MAXACK]!;
  return s;
}

function store(ct: NfConn, dir: number, s: TcpSeen): void {
  const w = ct.store.words;
  const b = ct.base + dir;
  w[b + Ct.TD_END] = s.end;
  w[b + Ct.TD_MAXEND] = s.maxend;
  w[b + Ct.TD_MAXWIN] = s.maxwin;
  w[b + Ct.TD_FLAGS] = (s.flags & 0xff) | ((s.scale & 0xf) << 8);
  w[b + Ct.TD_MAXACK] = s.maxack;
}

// proto.tcp.last_* packed in the record's LAST_INFO word.
function lastDir(ct: NfConn): number { return ct.lastInfo & 1; }
function lastIndex(ct: NfConn): number { return (ct.lastInfo >>> 1) & 7; }
function lastWscale(ct: NfConn): number { return (ct.lastInfo >>> 4) & 0xf; }
function lastFlags(ct: NfConn): number { return (ct.lastInfo >>> 8) & 0xff; }
/** proto.tcp.retrans: identical ACK-only segments seen in a row (saturates at 255). */
function retrans(ct: NfConn): number { return (ct.lastInfo >>> 16) & 0xff; }
function setRetrans(ct: NfConn, n: number): void {
  ct.lastInfo = (ct.lastInfo & 0xffff) | (Math.min(n, 255) << 16);
}
function setLast(ct: NfConn, dir: number, index: number): void {
  ct.lastInfo = (ct.lastInfo & ~0xf) | (dir & 1) | ((index & 7) << 1);
}
function setLastWscaleFlags(ct: NfConn, wscale: number, flags: number): void {
  ct.lastInfo = (ct.lastInfo & 0xff000f) | ((wscale & 0xf) << 4) | ((flags & 0xff) << 8);
}

/** tcp_options: window scale and SACK-permitted from a SYN's options into `s`. */
function tcpOptions(skb: Skb, s: TcpSeen): void {
  const o = skb.tcpOpts;
  if (!o) return;
  s.scale = 0;
  s.flags &= IP_CT_TCP_FLAG.BE_LIBERAL;
  if (o.sackOk) s.flags |= IP_CT_TCP_FLAG.SACK_PERM;
  if (o.wscale >= 0) {
    s.scale = Math.min(o.wscale, TCP_MAX_WSCALE);
    s.flags |= IP_CT_TCP_FLAG.WINDOW_SCALE;
  }
}

/** tcp_sack: the highest right edge of the segment's SACK blocks, if above `sack`. */
function tcpSack(skb: Skb, sack: number): number {
  const blocks = skb.tcpOpts?.sack;
  if (!blocks) return sack;
  for (let i = 1; i < blocks.length; i += 2) if (after(blocks[i]! | 0, sack)) sack = blocks[i]! | 0;
  return sack;
}

/** tcp_init_sender. */
function tcpInitSender(sender: TcpSeen, receiver: TcpSeen, skb: Skb, end: number, win: number, dir: number): void {
  sender.end = sender.maxend = end;
  sender.maxwin = win === 0 ? 1 : win;
  tcpOptions(skb, sender);
  // RFC 1323: both sides must send the Window Scale option to enable scaling in either direction.
  if (dir === IP_CT_DIR.REPLY && !(sender.flags & IP_CT_TCP_FLAG.WINDOW_SCALE && receiver.flags & IP_CT_TCP_FLAG.WINDOW_SCALE)) {
    sender.scale = 0;
    receiver.scale = 0;
  }
}

/** enum nf_ct_tcp_action: tcp_in_window's answer. */
export const enum NFCT_TCP {
  IGNORE = 0,
  INVALID = 1,
  ACCEPT = 2,
}

/** nf_tcp_log_invalid: be_liberal (per-flow or sysctl) turns a rejection into acceptance. */
function logInvalid(c: L4Context, sender: TcpSeen, ret: number): number {
  if (sender.flags & IP_CT_TCP_FLAG.BE_LIBERAL || c.sysctl.nf_conntrack_tcp_be_liberal) return NFCT_TCP.ACCEPT;
  return ret;
}

/** tcp_in_window: is the segment inside both peers' windows? Updates the window state when it is. */
export function tcpInWindow(c: L4Context, ct: NfConn, dir: number, index: number, skb: Skb): number {
  const sender = load(ct, dir, SENDER);
  const receiver = load(ct, 1 - dir, RECEIVER);
  const flags = skb.tcpFlags;
  let seq = skb.seq | 0;
  let ack = skb.ackSeq | 0;
  let sack = ack;
  const winRaw = skb.window & 0xffff;
  let win = winRaw;
  let end = segmentEnd(skb);
  if (receiver.flags & IP_CT_TCP_FLAG.SACK_PERM) sack = tcpSack(skb, sack);

  if (sender.maxwin === 0) {
    // Initialize sender data.
    if (flags & TCPHDR.SYN) {
      tcpInitSender(sender, receiver, skb, end, win, dir);
      if (!(flags & TCPHDR.ACK)) {
        // Simultaneous open.
        store(ct, dir, sender); store(ct, 1 - dir, receiver);
        return NFCT_TCP.ACCEPT;
      }
    } else {
      // We are in the middle of a connection, its history is lost for us.
      sender.end = end;
      const swin = win << sender.scale;
      sender.maxwin = swin === 0 ? 1 : swin;
      sender.maxend = (end + sender.maxwin) | 0;
      if (receiver.maxwin === 0) {
        // Traffic in the other direction not seen yet: let III and IV pass until it is.
        receiver.end = receiver.maxend = sack;
      } else if (sack === ((receiver.end + 1) | 0)) {
        // Likely a reply to a keepalive.
        receiver.end = (receiver.end + 1) | 0;
      }
    }
  } else if (flags & TCPHDR.SYN && after(end, sender.end) &&
    (ct.tcpState === TCP_CONNTRACK.SYN_SENT || ct.tcpState === TCP_CONNTRACK.SYN_RECV)) {
    // RFC 793: a reinitialized TCP uses larger sequence numbers; re-init this direction.
    tcpInitSender(sender, receiver, skb, end, win, dir);
    if (dir === IP_CT_DIR.REPLY && !(flags & TCPHDR.ACK)) {
      store(ct, dir, sender); store(ct, 1 - dir, receiver);
      return NFCT_TCP.ACCEPT;
    }
  }

  if (!(flags & TCPHDR.ACK)) {
    // If there is no ACK, just pretend it was set and OK.
    ack = sack = receiver.end;
  } else if ((flags & (TCPHDR.ACK | TCPHDR.RST)) === (TCPHDR.ACK | TCPHDR.RST) && ack === 0) {
    // Broken TCP stacks that set ACK in RST packets with zero ack value.
    ack = sack = receiver.end;
  }

  if (flags & TCPHDR.RST && seq === 0 && ct.tcpState === TCP_CONNTRACK.SYN_SENT) {
    // RST sent answering SYN.
    seq = end = sender.end;
  }

  let res = NFCT_TCP.ACCEPT;
  const maxAckWin = sender.maxwin > MAXACKWINCONST ? sender.maxwin : MAXACKWINCONST;
  const seqOk = before(seq, (sender.maxend + 1) | 0);
  if (!seqOk) {
    const overshot = (end - sender.maxend + 1) | 0;
    const ackOk = after(sack, (receiver.end - maxAckWin - 1) | 0);
    const inRecvWin = receiver.maxwin !== 0 && after(end, (sender.end - receiver.maxwin - 1) | 0);
    if (inRecvWin && ackOk && overshot <= receiver.maxwin && before(sack, (receiver.end + 1) | 0)) {
      // Work around TCPs that send more bytes than the receive window allows.
      sender.end = end;
      sender.flags |= IP_CT_TCP_FLAG.DATA_UNACKNOWLEDGED;
      res = logInvalid(c, sender, NFCT_TCP.IGNORE);
    } else {
      res = logInvalid(c, sender, NFCT_TCP.INVALID); // SEQ is over upper bound
    }
    if (res !== NFCT_TCP.ACCEPT) {
      store(ct, dir, sender); store(ct, 1 - dir, receiver);
      return res;
    }
  }
  if (res === NFCT_TCP.ACCEPT && !before(sack, (receiver.end + 1) | 0)) {
    res = logInvalid(c, sender, NFCT_TCP.INVALID); // ACK is over upper bound (ACKed data not seen yet)
  } else if (receiver.maxwin !== 0 && !after(end, (sender.end - receiver.maxwin - 1) | 0)) {
    res = logInvalid(c, sender, NFCT_TCP.IGNORE); // SEQ is under lower bound (already ACKed data retransmitted)
  } else if (!after(sack, (receiver.end - maxAckWin - 1) | 0)) {
    res = logInvalid(c, sender, NFCT_TCP.IGNORE); // ignored ACK under lower bound (possible overly delayed)
  }
  if (res !== NFCT_TCP.ACCEPT) {
    store(ct, dir, sender); store(ct, 1 - dir, receiver);
    return res;
  }

  // Take into account window scaling (RFC 1323).
  if (!(flags & TCPHDR.SYN)) win = win << sender.scale;

  // Update sender data.
  const swin = (win + (sack - ack)) | 0;
  if (sender.maxwin < swin) sender.maxwin = swin;
  if (after(end, sender.end)) {
    sender.end = end;
    sender.flags |= IP_CT_TCP_FLAG.DATA_UNACKNOWLEDGED;
  }
  if (flags & TCPHDR.ACK) {
    if (!(sender.flags & IP_CT_TCP_FLAG.MAXACK_SET)) {
      sender.maxack = ack;
      sender.flags |= IP_CT_TCP_FLAG.MAXACK_SET;
    } else if (after(ack, sender.maxack)) {
      sender.maxack = ack;
    }
  }

  // Update receiver data.
  if (receiver.maxwin !== 0 && after(end, sender.maxend)) receiver.maxwin = (receiver.maxwin + (end - sender.maxend)) | 0;
  if (after((sack + win) | 0, (receiver.maxend - 1) | 0)) {
    receiver.maxend = (sack + win) | 0;
    if (win === 0) receiver.maxend = (receiver.maxend + 1) | 0;
  }
  if (ack === receiver.end) receiver.flags &= ~IP_CT_TCP_FLAG.DATA_UNACKNOWLEDGED;

  // Check retransmissions.
  if (index === TCP_BIT_SET.ACK) {
    if (lastDir(ct) === dir && ct.lastSeq === seq && ct.lastAck === ack && ct.lastEnd === end && ct.lastWin === winRaw) {
      setRetrans(ct, retrans(ct) + 1);
    } else {
      setLast(ct, dir, lastIndex(ct));
      ct.lastSeq = seq; ct.lastAck = ack; ct.lastEnd = end; ct.lastWin = winRaw;
      setRetrans(ct, 0);
    }
  }
  store(ct, dir, sender); store(ct, 1 - dir, receiver);
  return NFCT_TCP.ACCEPT;
}

/** nf_tcp_handle_invalid: an out-of-window FIN/RST answering the peer's FIN/RST shrinks an assured entry's timeout. */
function tcpHandleInvalid(c: L4Context, ct: NfConn, dir: number, index: number): void {
  if (!(ct.status & IPS.ASSURED) || ct.status & IPS.FIXED_TIMEOUT) return;
  if (index !== TCP_BIT_SET.RST && index !== TCP_BIT_SET.FIN) return;
  if (lastDir(ct) !== dir && (lastIndex(ct) === TCP_BIT_SET.FIN || lastIndex(ct) === TCP_BIT_SET.RST)) {
    const expires = (ct.timeout - c.nowJiffies) | 0;
    if (expires < 120 * HZ) return;
    const timeout = c.tcpTimeouts[TCP_CONNTRACK.UNACK]!;
    if (expires > timeout) ct.timeout = c.nowJiffies + timeout;
  } else {
    setLast(ct, dir, index);
  }
}

/** tcp_new: may this segment create an entry? Initialises the ORIGINAL window state. */
export function tcpNew(c: L4Context, ct: NfConn, skb: Skb): boolean {
  const newState = TCP_CONNTRACKS[0]![getConntrackIndex(skb.tcpFlags)]![TCP_CONNTRACK.NONE]!;
  if (newState >= TCP_CONNTRACK.MAX) return false; // invalid new
  // tcp_new's memset of proto.tcp: NfConn.init (__nf_conntrack_alloc's memset_after) zeroed it already, and
  // tcp_new only ever sees an entry fresh from init, so it is not repeated.
  const s = load(ct, 0, SENDER);
  s.end = segmentEnd(skb);
  s.maxwin = skb.window & 0xffff;
  if (s.maxwin === 0) s.maxwin = 1;
  if (newState === TCP_CONNTRACK.SYN_SENT) {
    s.maxend = s.end;
    tcpOptions(skb, s);
    store(ct, 0, s);
  } else {
    if (c.sysctl.nf_conntrack_tcp_loose === 0) return false; // don't pick up connections
    // Mid-stream pickup: assume SACK and liberal window checking to cope with unseen window scaling.
    s.maxend = (s.end + s.maxwin) | 0;
    s.flags = IP_CT_TCP_FLAG.SACK_PERM | IP_CT_TCP_FLAG.BE_LIBERAL;
    store(ct, 0, s);
    ct.tdFlags1 = IP_CT_TCP_FLAG.SACK_PERM | IP_CT_TCP_FLAG.BE_LIBERAL;
  }
  setLast(ct, 0, TCP_BIT_SET.NONE);
  return true;
}

/** nf_ct_tcp_state_reset. */
function stateReset(ct: NfConn, dir: number): void {
  const s = load(ct, dir, RECEIVER);
  s.end = s.maxend = s.maxwin = s.maxack = s.scale = 0;
  s.flags &= IP_CT_TCP_FLAG.BE_LIBERAL;
  store(ct, dir, s);
}

/** tcp_can_early_drop: closing states may be reaped under pressure even when ASSURED. */
export function tcpCanEarlyDrop(tcpState: number): boolean {
  switch (tcpState) {
    case TCP_CONNTRACK.FIN_WAIT:
    case TCP_CONNTRACK.LAST_ACK:
    case TCP_CONNTRACK.TIME_WAIT:
    case TCP_CONNTRACK.CLOSE:
    case TCP_CONNTRACK.CLOSE_WAIT:
      return true;
    default:
      return false;
  }
}

/** The TCP_CONNTRACK_IGNORE path: annotate the segment so a later answer can resync us, and let it pass. */
function tcpIgnore(ct: NfConn, skb: Skb, dir: number, index: number, oldState: number): number {
  setLast(ct, dir, index);
  ct.lastSeq = skb.seq | 0;
  ct.lastEnd = segmentEnd(skb);
  ct.lastWin = skb.window & 0xffff;
  if (index === TCP_BIT_SET.SYN && dir === IP_CT_DIR.ORIGINAL) {
    // A SYN in ORIGINAL: annotate its options; if valid, the SYN/ACK will bring us in sync.
    const seen = IGNORED;
    seen.flags = 0;
    seen.scale = 0;
    tcpOptions(skb, seen);
    let lf = 0;
    let lw = 0;
    if (seen.flags & IP_CT_TCP_FLAG.WINDOW_SCALE) { lf |= IP_CT_TCP_FLAG.WINDOW_SCALE; lw = seen.scale; }
    if (seen.flags & IP_CT_TCP_FLAG.SACK_PERM) lf |= IP_CT_TCP_FLAG.SACK_PERM;
    // Mark the potential for an RFC 5961 challenge ACK: in LAST_ACK it would look like the last ACK.
    if (oldState === TCP_CONNTRACK.LAST_ACK) lf |= IP_CT_EXP_CHALLENGE_ACK;
    setLastWscaleFlags(ct, lw, lf);
  }
  // Possible challenge ACK answering a SYN.
  if (oldState === TCP_CONNTRACK.SYN_SENT && index === TCP_BIT_SET.ACK && dir === IP_CT_DIR.REPLY) ct.lastAck = skb.ackSeq | 0;
  return NF.ACCEPT; // "packet ... ignored"
}

/**
 * nf_conntrack_tcp_packet: runs the state machine for one segment. Returns
 * NF_ACCEPT, NF_DROP, NF_CT_INVALID (-NF_ACCEPT) or NF_CT_REPEAT (-NF_REPEAT:
 * the entry was killed to let a new SYN reopen the connection).
 */
export function nfConntrackTcpPacket(c: L4Context, ct: NfConn, skb: Skb, ctinfo: number): number {
  if (tcpError(skb)) return NF_CT.INVALID;
  // Nothing below changes the status before its last read here: one load serves them all.
  const status = ct.status;
  if (!(status & IPS.CONFIRMED) && !tcpNew(c, ct, skb)) return NF_CT.INVALID;

  const oldState = ct.tcpState;
  const dir = ctinfo >= IP_CT.IS_REPLY ? IP_CT_DIR.REPLY : IP_CT_DIR.ORIGINAL;
  const index = getConntrackIndex(skb.tcpFlags);
  let newState = TCP_CONNTRACKS[dir]![index]![oldState]!;
  let skipWindow = false;

  switch (newState) {
    case TCP_CONNTRACK.SYN_SENT:
      if (oldState < TCP_CONNTRACK.TIME_WAIT) break;
      // Reopening from TIME_WAIT/CLOSE: an aborted or closed connection is deleted and looked up again.
      if ((ct.tdFlags0 | ct.tdFlags1) & IP_CT_TCP_FLAG.CLOSE_INIT || (lastDir(ct) === dir && lastIndex(ct) === TCP_BIT_SET.RST)) {
        return c.kill(ct) ? NF_CT.REPEAT : NF.DROP;
      }
      return tcpIgnore(ct, skb, dir, index, oldState);
    case TCP_CONNTRACK.IGNORE: {
      if (index === TCP_BIT_SET.SYNACK && lastIndex(ct) === TCP_BIT_SET.SYN && lastDir(ct) !== dir && (skb.ackSeq | 0) === ct.lastEnd) {
        // This SYN/ACK acknowledges a SYN we ignored: client and server are in sync, we get in sync from the annotation.
        newState = TCP_CONNTRACK.SYN_RECV;
        const ld = lastDir(ct);
        const s = load(ct, ld, SENDER);
        s.end = s.maxend = ct.lastEnd;
        s.maxwin = ct.lastWin === 0 ? 1 : ct.lastWin;
        s.scale = lastWscale(ct);
        s.flags = lastFlags(ct) & ~IP_CT_EXP_CHALLENGE_ACK;
        store(ct, ld, s);
        setLastWscaleFlags(ct, lastWscale(ct), lastFlags(ct) & ~IP_CT_EXP_CHALLENGE_ACK);
        stateReset(ct, dir);
        break;
      }
      return tcpIgnore(ct, skb, dir, index, oldState);
    }
    case TCP_CONNTRACK.MAX:
      return NF_CT.INVALID; // "packet ... invalid"
    case TCP_CONNTRACK.TIME_WAIT:
      // An RFC 5961 challenge ACK must not be taken as the ACK of the last FIN.
      if (oldState === TCP_CONNTRACK.LAST_ACK && index === TCP_BIT_SET.ACK && lastDir(ct) !== dir &&
        lastIndex(ct) === TCP_BIT_SET.SYN && lastFlags(ct) & IP_CT_EXP_CHALLENGE_ACK) {
        setLastWscaleFlags(ct, lastWscale(ct), lastFlags(ct) & ~IP_CT_EXP_CHALLENGE_ACK);
        return NF.ACCEPT;
      }
      break;
    case TCP_CONNTRACK.SYN_SENT2:
      setLastWscaleFlags(ct, lastWscale(ct), lastFlags(ct) | IP_CT_TCP_SIMULTANEOUS_OPEN);
      break;
    case TCP_CONNTRACK.SYN_RECV:
      if (dir === IP_CT_DIR.REPLY && index === TCP_BIT_SET.ACK && lastFlags(ct) & IP_CT_TCP_SIMULTANEOUS_OPEN) newState = TCP_CONNTRACK.ESTABLISHED;
      break;
    case TCP_CONNTRACK.CLOSE: {
      if (index !== TCP_BIT_SET.RST) break;
      if (tcpCanEarlyDrop(oldState)) { skipWindow = true; break; }
      const peerFlags = dir === 0 ? ct.tdFlags1 : ct.tdFlags0;
      const peerMaxack = dir === 0 ? ct.tdMaxack1 : ct.tdMaxack0;
      if (peerFlags & IP_CT_TCP_FLAG.MAXACK_SET && lastIndex(ct) !== TCP_BIT_SET.SYN) {
        const seq = skb.seq | 0;
        const established = oldState === TCP_CONNTRACK.ESTABLISHED;
        if (!(seq === 0 && !established)) {
          if (before(seq, peerMaxack) && !c.sysctl.nf_conntrack_tcp_ignore_invalid_rst) return NF_CT.INVALID; // invalid rst
          if (established && seq !== peerMaxack &&
            !(lastIndex(ct) === TCP_BIT_SET.ACK && lastDir(ct) === dir && seq === ct.lastEnd)) {
            // RST sequence doesn't match exactly: keep state to allow a challenge ACK.
            newState = oldState;
          }
        }
      }
      if ((((status & IPS.SEEN_REPLY) && lastIndex(ct) === TCP_BIT_SET.SYN) ||
        (!(status & IPS.ASSURED) && lastIndex(ct) === TCP_BIT_SET.ACK)) && (skb.ackSeq | 0) === ct.lastEnd) {
        // RST answering an invalid SYN or ACK we let through: delete the entry, skip the window check.
        skipWindow = true;
        break;
      }
      if (oldState === TCP_CONNTRACK.SYN_SENT && lastIndex(ct) === TCP_BIT_SET.ACK && lastDir(ct) === IP_CT_DIR.REPLY &&
        (skb.seq | 0) === ct.lastAck) {
        skipWindow = true; // reset answering a challenge ACK we let through
      }
      break;
    }
    default:
      break;
  }

  if (!skipWindow && !(status & IPS.CONFIRMED) && index === TCP_BIT_SET.SYN) {
    // tcp_in_window on the SYN tcp_new has just taken in: it accepts, and of the REPLY side, still
    // unseen, only sets td_maxend to the end of the window the SYN offers (sack + win, plus one when 0).
    ct.tdMaxend1 = (skb.window & 0xffff) || 1;
  } else if (!skipWindow) {
    const res = tcpInWindow(c, ct, dir, index, skb);
    if (res === NFCT_TCP.IGNORE) return NF.ACCEPT;
    if (res === NFCT_TCP.INVALID) {
      tcpHandleInvalid(c, ct, dir, index);
      return NF_CT.INVALID;
    }
  }

  // From now on we have got in-window packets.
  setLast(ct, dir, index);
  ct.tcpState = newState;
  if (oldState !== newState && newState === TCP_CONNTRACK.FIN_WAIT) {
    if (dir === 0) ct.tdFlags0 |= IP_CT_TCP_FLAG.CLOSE_INIT;
    else ct.tdFlags1 |= IP_CT_TCP_FLAG.CLOSE_INIT;
  }

  const s = c.sysctl;
  const t = c.tcpTimeouts;
  let timeout: number;
  if (retrans(ct) >= s.nf_conntrack_tcp_max_retrans && t[newState]! > t[TCP_CONNTRACK.RETRANS]!) {
    timeout = t[TCP_CONNTRACK.RETRANS]!;
  } else if (index === TCP_BIT_SET.RST) {
    timeout = t[TCP_CONNTRACK.CLOSE]!;
  } else if ((ct.tdFlags0 | ct.tdFlags1) & IP_CT_TCP_FLAG.DATA_UNACKNOWLEDGED && t[newState]! > t[TCP_CONNTRACK.UNACK]!) {
    timeout = t[TCP_CONNTRACK.UNACK]!;
  } else if (ct.lastWin === 0 && t[newState]! > t[TCP_CONNTRACK.RETRANS]!) {
    timeout = t[TCP_CONNTRACK.RETRANS]!;
  } else {
    timeout = t[newState]!;
  }

  if (newState !== oldState) c.eventCache(ct, IPCT.PROTOINFO);

  if (!(status & IPS.SEEN_REPLY)) {
    // Only reply is a RST: not an established connection, delete the entry immediately.
    if (skb.tcpFlags & TCPHDR.RST) {
      c.refreshAcct(ct, ctinfo, skb, 0);
      c.kill(ct);
      return NF.ACCEPT;
    }
    // Do not renew the timeout on a SYN retransmit, or port reuse could keep the entry alive forever.
    if (index === TCP_BIT_SET.SYN && oldState === TCP_CONNTRACK.SYN_SENT) return NF.ACCEPT;
    // Mid-connection pickup with loose=1: avoid the large ESTABLISHED timeout.
    if (newState === TCP_CONNTRACK.ESTABLISHED && timeout > t[TCP_CONNTRACK.UNACK]!) timeout = t[TCP_CONNTRACK.UNACK]!;
  } else if (!(status & IPS.ASSURED) && (oldState === TCP_CONNTRACK.SYN_RECV || oldState === TCP_CONNTRACK.ESTABLISHED) &&
    newState === TCP_CONNTRACK.ESTABLISHED) {
    // Valid ACK in ESTABLISHED after SYN_RECV, or a valid answer for a picked-up connection.
    ct.status |= IPS.ASSURED;
    c.eventCache(ct, IPCT.ASSURED);
  }
  c.refreshAcct(ct, ctinfo, skb, timeout);
  return NF.ACCEPT;
}
