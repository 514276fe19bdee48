// REJECT --reject-with tcp-reset (net/ipv4/netfilter/nf_reject_ipv4.c
// nf_send_reset). Unlike tcp_v4_send_reset it is not the TCP stack
// answering: the RST is built by netfilter and handed to ip_local_out, so
// neither TcpOutSegs nor TcpOutRsts move.

import type { Host } from '../model/host.js';
import type { Cpu } from '../model/cpu.js';
import { IP, IPPROTO, type Skb, TCPHDR } from '../model/skb.js';
import { Stage } from '../model/trace.js';
import { tcpResetReply } from '../transport/tcp_output.js';
import { formatIpv4 } from '../model/inet.js';
import { ipLocalOut, ipRouteOutput } from '../routing/ip_output.js';

/** nf_send_reset: RST with seq = the segment's ack, or RST|ACK acknowledging it; never for a RST or a fragment. */
export function nfSendReset(host: Host, cpu: Cpu, oldskb: Skb): void {
  if (oldskb.protocol !== IPPROTO.TCP) return;
  if ((oldskb.fragOff & IP.OFFSET) !== 0) return;
  if (oldskb.tcpFlags & TCPHDR.RST) return;
  const rt = ipRouteOutput(host, oldskb.saddr);
  if (!rt) return;
  const skb = tcpResetReply(host, cpu, oldskb);
  if (host.tr.on) host.tr.stage(cpu.now, host.name, cpu.id, rt.dev?.name, skb, Stage.L4_TX,
    `nf_send_reset: REJECT tcp-reset to ${formatIpv4(skb.daddr)}:${skb.dport}`, undefined, undefined, 'nf_send_reset');
  ipLocalOut(host, cpu, skb, rt);
}
