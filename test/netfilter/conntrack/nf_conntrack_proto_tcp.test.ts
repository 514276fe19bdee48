import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TCPHDR, TcpOptions } from '../../../src/model/skb.js';
import { IP_CT, IPS } from '../../../src/netfilter/nf_conntrack_common.js';
import { NF } from '../../../src/netfilter/hooks.js';
import { Ct, NfConn, nfConnInit, NfConnStore } from '../../../src/netfilter/conntrack/nf_conn.js';
import { NFCT_TCP, TCP_BIT_SET, tcpInWindow, tcpNew } from '../../../src/netfilter/conntrack/nf_conntrack_proto_tcp.js';
import { advance, inbound, outbound, rig, synOpts, tcp, type Rig } from './helpers.js';

const C = '10.0.0.1', S = '10.0.0.2';

function handshake(r: Rig, cport = 40000): void {
  const syn = tcp(C, cport, S, 80, TCPHDR.SYN, 1000, 0, 64240);
  syn.tcpOpts = synOpts();
  expect(inbound(r, syn)).toBe(NF.ACCEPT);
  expect(syn.ctinfo).toBe(IP_CT.NEW);
  const synack = tcp(S, 80, C, cport, TCPHDR.SYN | TCPHDR.ACK, 5000, 1001, 65160);
  synack.tcpOpts = synOpts();
  expect(outbound(r, synack)).toBe(NF.ACCEPT);
  expect(synack.ctinfo).toBe(IP_CT.ESTABLISHED_REPLY);
  const ack = tcp(C, cport, S, 80, TCPHDR.ACK, 1001, 5001, 502);
  expect(inbound(r, ack)).toBe(NF.ACCEPT);
  expect(ack.ctinfo).toBe(IP_CT.ESTABLISHED);
}

function only(r: Rig) {
  const es = r.ct.entries();
  expect(es).toHaveLength(1);
  return es[0]!;
}

describe('TCP tracker (nf_conntrack_proto_tcp.c)', () => {
  it('a SYN creates SYN_SENT with the 120 s timeout, unreplied', () => {
    const r = rig();
    const syn = tcp(C, 40000, S, 80, TCPHDR.SYN);
    inbound(r, syn);
    const e = only(r);
    expect(e.state).toBe('SYN_SENT');
    expect(e.timeout).toBe(120);
    expect(e.status & IPS.SEEN_REPLY).toBe(0);
  });

  it('the three-way handshake goes SYN_SENT → SYN_RECV → ESTABLISHED and sets ASSURED on the last step', () => {
    const r = rig();
    const syn = tcp(C, 40000, S, 80, TCPHDR.SYN, 1000, 0, 64240);
    syn.tcpOpts = synOpts();
    inbound(r, syn);
    const synack = tcp(S, 80, C, 40000, TCPHDR.SYN | TCPHDR.ACK, 5000, 1001, 65160);
    synack.tcpOpts = synOpts();
    outbound(r, synack);
    let e = only(r);
    expect(e.state).toBe('SYN_RECV');
    expect(e.timeout).toBe(60);
    expect(e.status & IPS.ASSURED).toBe(0);
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.ACK, 1001, 5001, 502));
    e = only(r);
    expect(e.state).toBe('ESTABLISHED');
    expect(e.status & IPS.ASSURED).toBeTruthy();
    expect(e.timeout).toBe(432000);
  });

  it('an orderly close walks FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT', () => {
    const r = rig();
    handshake(r);
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.FIN | TCPHDR.ACK, 1001, 5001, 502));
    expect(only(r).state).toBe('FIN_WAIT');
    outbound(r, tcp(S, 80, C, 40000, TCPHDR.ACK, 5001, 1002, 509));
    expect(only(r).state).toBe('CLOSE_WAIT');
    outbound(r, tcp(S, 80, C, 40000, TCPHDR.FIN | TCPHDR.ACK, 5001, 1002, 509));
    expect(only(r).state).toBe('LAST_ACK');
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.ACK, 1002, 5002, 502));
    const e = only(r);
    expect(e.state).toBe('TIME_WAIT');
    expect(e.timeout).toBe(120);
  });

  it('a RST moves an established connection to CLOSE with the 10 s timeout', () => {
    const r = rig();
    handshake(r);
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.RST | TCPHDR.ACK, 1001, 5001, 0));
    const e = only(r);
    expect(e.state).toBe('CLOSE');
    expect(e.timeout).toBe(10);
  });

  it('a RST answering a SYN deletes the entry at once', () => {
    const r = rig();
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.SYN, 1000));
    outbound(r, tcp(S, 80, C, 40000, TCPHDR.RST | TCPHDR.ACK, 0, 1001, 0));
    expect(r.ct.entries()).toHaveLength(0);
    expect(r.ct.count).toBe(0);
  });

  it('SYN+FIN is INVALID and creates nothing', () => {
    const r = rig();
    const p = tcp(C, 40000, S, 80, TCPHDR.SYN | TCPHDR.FIN);
    expect(inbound(r, p)).toBe(NF.ACCEPT);
    expect(p.nfct).toBeNull();
    expect(p.ctinfo).toBe(-1);
    expect(r.ct.stats.total('invalid')).toBe(1);
    advance(r, 0.001);
    expect(r.ct.count).toBe(0);
  });

  it('with tcp_loose=1 a bare ACK is picked up as ESTABLISHED (not assured, unack timeout)', () => {
    const r = rig();
    const p = tcp(C, 40000, S, 80, TCPHDR.ACK, 7000, 9000, 500);
    inbound(r, p);
    expect(p.ctinfo).toBe(IP_CT.NEW);
    const e = only(r);
    expect(e.state).toBe('ESTABLISHED');
    expect(e.timeout).toBe(300);
    expect(e.status & IPS.ASSURED).toBe(0);
  });

  it('with tcp_loose=0 a bare ACK is INVALID', () => {
    const r = rig({ sysctl: { nf_conntrack_tcp_loose: 0 } });
    const p = tcp(C, 40000, S, 80, TCPHDR.ACK, 7000, 9000, 500);
    inbound(r, p);
    expect(p.nfct).toBeNull();
    expect(r.ct.stats.total('invalid')).toBe(1);
    advance(r, 0.001);
    expect(r.ct.count).toBe(0);
  });

  it('a segment far beyond the receive window is INVALID, and accepted with be_liberal', () => {
    for (const liberal of [0, 1]) {
      const r = rig({ sysctl: { nf_conntrack_tcp_be_liberal: liberal } });
      handshake(r);
      const p = tcp(C, 40000, S, 80, TCPHDR.ACK, 1001 + 50_000_000, 5001, 502, 100);
      inbound(r, p);
      if (liberal) expect(p.ctinfo).toBe(IP_CT.ESTABLISHED);
      else {
        expect(p.nfct).toBeNull();
        expect(r.ct.stats.total('invalid')).toBe(1);
      }
    }
  });

  it('an ACK for data never sent is INVALID', () => {
    const r = rig();
    handshake(r);
    const p = tcp(S, 80, C, 40000, TCPHDR.ACK, 5001, 1001 + 10_000_000, 509);
    outbound(r, p);
    expect(p.nfct).toBeNull();
  });

  it('unacknowledged data caps the established timeout at 300 s', () => {
    const r = rig();
    handshake(r);
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.ACK, 1001, 5001, 502, 1000));
    expect(only(r).timeout).toBe(300);
    outbound(r, tcp(S, 80, C, 40000, TCPHDR.ACK, 5001, 2001, 509));
    expect(only(r).timeout).toBe(432000);
  });

  it('a TCP timeout written with sysctl takes effect at the next segment, caps included', () => {
    const r = rig();
    handshake(r);
    expect(r.ct.setSysctl('net.netfilter.nf_conntrack_tcp_timeout_established', 600)).toBeNull();
    outbound(r, tcp(S, 80, C, 40000, TCPHDR.ACK, 5001, 1001, 509));
    expect(only(r).timeout).toBe(600);
    // Unacknowledged data caps ESTABLISHED at tcp_timeout_unacknowledged, itself a sysctl.
    expect(r.ct.setSysctl('net.netfilter.nf_conntrack_tcp_timeout_unacknowledged', 90)).toBeNull();
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.ACK, 1001, 5001, 502, 1000));
    expect(only(r).timeout).toBe(90);
  });

  it('a new SYN on a TIME_WAIT entry reopens the connection as a new SYN_SENT entry', () => {
    const r = rig();
    handshake(r);
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.FIN | TCPHDR.ACK, 1001, 5001, 502));
    outbound(r, tcp(S, 80, C, 40000, TCPHDR.FIN | TCPHDR.ACK, 5001, 1002, 509));
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.ACK, 1002, 5002, 502));
    expect(only(r).state).toBe('TIME_WAIT');
    const syn = tcp(C, 40000, S, 80, TCPHDR.SYN, 90000, 0, 64240);
    inbound(r, syn);
    expect(syn.ctinfo).toBe(IP_CT.NEW);
    const e = only(r);
    expect(e.state).toBe('SYN_SENT');
    expect(e.status & IPS.ASSURED).toBe(0);
  });

  it('entries expire at their timeout, within one gc interval', () => {
    const r = rig();
    handshake(r);
    inbound(r, tcp(C, 40000, S, 80, TCPHDR.RST, 1001, 0, 0));
    expect(only(r).timeout).toBe(10);
    advance(r, 9.9);
    expect(r.ct.count).toBe(1);
    advance(r, 0.2 + 60);
    expect(r.ct.count).toBe(0);
  });

  it('a SYN that creates an entry leaves the window state tcp_in_window would, though it skips it', () => {
    const windowState = (ct: NfConn) => [ct.tdEnd0, ct.tdMaxend0, ct.tdMaxwin0, ct.tdFlags0, ct.tdMaxack0,
      ct.tdEnd1, ct.tdMaxend1, ct.tdMaxwin1, ct.tdFlags1, ct.tdMaxack1];
    const segment = fc.record({
      seq: fc.nat({ max: 0xffffffff }),
      win: fc.oneof(fc.constant(0), fc.nat({ max: 0xffff })),
      payload: fc.nat({ max: 1460 }),
      extra: fc.subarray([TCPHDR.URG, TCPHDR.PSH, TCPHDR.ECE, TCPHDR.CWR]),
      opts: fc.option(fc.record({ sackOk: fc.boolean(), wscale: fc.integer({ min: -1, max: 14 }) })),
    });
    fc.assert(fc.property(segment, (g) => {
      const syn = tcp(C, 40000, S, 80, g.extra.reduce((f, x) => f | x, TCPHDR.SYN), g.seq, 0, g.win, g.payload);
      if (g.opts) {
        syn.tcpOpts = new TcpOptions();
        syn.tcpOpts.sackOk = g.opts.sackOk;
        syn.tcpOpts.wscale = g.opts.wscale;
      }
      const r = rig({ eventLogSize: 0 });
      expect(inbound(r, syn)).toBe(NF.ACCEPT);
      const tracked = r.ct.store.view(0);
      // The same segment through tcp_new and the full tcp_in_window, on an entry of its own.
      const store = new NfConnStore();
      const ct = new NfConn(store, store.allocSlot(1) << Ct.SHIFT);
      nfConnInit(store.words, ct.base, tracked.proto, tracked.oSrc, tracked.oDst, tracked.oPorts, tracked.rSrc, tracked.rDst, tracked.rPorts);
      expect(tcpNew(r.ct, ct, syn)).toBe(true);
      expect(tcpInWindow(r.ct, ct, 0, TCP_BIT_SET.SYN, syn)).toBe(NFCT_TCP.ACCEPT);
      expect(windowState(tracked)).toEqual(windowState(ct));
    }));
  });
});
