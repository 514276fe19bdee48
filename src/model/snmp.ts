// SNMP MIB counters with the kernel's names and order (include/uapi/linux/snmp.h,
// net/ipv4/proc.c). Each host keeps one flat Float64Array; `MIB.IpInReceives`
// is the index of `Ip: InReceives`, named as nstat names it (group + field).

export const SNMP_GROUPS = {
  Ip: ['Forwarding', 'DefaultTTL', 'InReceives', 'InHdrErrors', 'InAddrErrors', 'ForwDatagrams', 'InUnknownProtos', 'InDiscards', 'InDelivers', 'OutRequests', 'OutDiscards', 'OutNoRoutes', 'ReasmTimeout', 'ReasmReqds', 'ReasmOKs', 'ReasmFails', 'FragOKs', 'FragFails', 'FragCreates', 'OutTransmits'],
  Icmp: ['InMsgs', 'InErrors', 'InCsumErrors', 'InDestUnreachs', 'InTimeExcds', 'InParmProbs', 'InSrcQuenchs', 'InRedirects', 'InEchos', 'InEchoReps', 'InTimestamps', 'InTimestampReps', 'InAddrMasks', 'InAddrMaskReps', 'OutMsgs', 'OutErrors', 'OutRateLimitGlobal', 'OutRateLimitHost', 'OutDestUnreachs', 'OutTimeExcds', 'OutParmProbs', 'OutSrcQuenchs', 'OutRedirects', 'OutEchos', 'OutEchoReps', 'OutTimestamps', 'OutTimestampReps', 'OutAddrMasks', 'OutAddrMaskReps'],
  Tcp: ['RtoAlgorithm', 'RtoMin', 'RtoMax', 'MaxConn', 'ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab', 'InSegs', 'OutSegs', 'RetransSegs', 'InErrs', 'OutRsts', 'InCsumErrors'],
  Udp: ['InDatagrams', 'NoPorts', 'InErrors', 'OutDatagrams', 'RcvbufErrors', 'SndbufErrors', 'InCsumErrors', 'IgnoredMulti', 'MemErrors'],
  UdpLite: ['InDatagrams', 'NoPorts', 'InErrors', 'OutDatagrams', 'RcvbufErrors', 'SndbufErrors', 'InCsumErrors', 'IgnoredMulti', 'MemErrors'],
  TcpExt: 'SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab BeyondWindow TSEcrRejected PAWSOldAck PAWSTimewait DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks TCPHPAcks TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder TCPTSReorder TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans TCPSlowStartRetrans TCPTimeouts TCPLossProbes TCPLossProbeRecovery TCPRenoRecoveryFail TCPSackRecoveryFail TCPRcvCollapsed TCPBacklogCoalesce TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv TCPDSACKOfoRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPMemoryPressuresChrono TCPSACKDiscard TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure TCPSackShifted TCPSackMerged TCPSackShiftFallback TCPBacklogDrop PFMemallocDrop TCPMinTTLDrop TCPDeferAcceptDrop IPReversePathFilter TCPTimeWaitOverflow TCPReqQFullDoCookies TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce TCPOFOQueue TCPOFODrop TCPOFOMerge TCPChallengeACK TCPSYNChallenge TCPFastOpenActive TCPFastOpenActiveFail TCPFastOpenPassive TCPFastOpenPassiveFail TCPFastOpenListenOverflow TCPFastOpenCookieReqd TCPFastOpenBlackhole TCPSpuriousRtxHostQueues BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect TCPHystartTrainCwnd TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv TCPACKSkippedPAWS TCPACKSkippedSeq TCPACKSkippedFinWait2 TCPACKSkippedTimeWait TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive TCPMTUPFail TCPMTUPSuccess TCPDelivered TCPDeliveredCE TCPAckCompressed TCPZeroWindowDrop TCPRcvQDrop TCPWqueueTooBig TCPFastOpenPassiveAltKey TcpTimeoutRehash TcpDuplicateDataRehash TCPDSACKRecvSegs TCPDSACKIgnoredDubious TCPMigrateReqSuccess TCPMigrateReqFailure TCPPLBRehash TCPAORequired TCPAOBad TCPAOKeyNotFound TCPAOGood TCPAODroppedIcmps'.split(' '),
  IpExt: ['InNoRoutes', 'InTruncatedPkts', 'InMcastPkts', 'OutMcastPkts', 'InBcastPkts', 'OutBcastPkts', 'InOctets', 'OutOctets', 'InMcastOctets', 'OutMcastOctets', 'InBcastOctets', 'OutBcastOctets', 'InCsumErrors', 'InNoECTPkts', 'InECT1Pkts', 'InECT0Pkts', 'InCEPkts', 'ReasmOverlaps'],
} as const;

export type SnmpGroup = keyof typeof SNMP_GROUPS;

/** Every counter's nstat name, in /proc order (Ip, Icmp, Tcp, Udp, UdpLite, TcpExt, IpExt). */
export const SNMP_NAMES: readonly string[] = Object.entries(SNMP_GROUPS).flatMap(([g, fields]) =>
  (fields as readonly string[]).map((f) => g + f),
);

const index: Record<string, number> = {};
SNMP_NAMES.forEach((n, i) => (index[n] = i));

/** `MIB.IpInReceives` → index into a host's counter array. */
export const MIB = index as Readonly<Record<string, number>> & {
  readonly IpForwarding: number; readonly IpDefaultTTL: number; readonly IpInReceives: number; readonly IpInHdrErrors: number;
  readonly IpInAddrErrors: number; readonly IpForwDatagrams: number; readonly IpInUnknownProtos: number; readonly IpInDiscards: number;
  readonly IpInDelivers: number; readonly IpOutRequests: number; readonly IpOutDiscards: number; readonly IpOutNoRoutes: number;
  readonly IpReasmTimeout: number; readonly IpReasmReqds: number; readonly IpReasmOKs: number; readonly IpReasmFails: number;
  readonly IpFragOKs: number; readonly IpFragFails: number; readonly IpFragCreates: number; readonly IpOutTransmits: number;
  readonly IcmpInMsgs: number; readonly IcmpInErrors: number; readonly IcmpInDestUnreachs: number; readonly IcmpInTimeExcds: number;
  readonly IcmpInEchos: number; readonly IcmpInEchoReps: number; readonly IcmpOutMsgs: number; readonly IcmpOutErrors: number;
  readonly IcmpOutRateLimitHost: number; readonly IcmpOutDestUnreachs: number; readonly IcmpOutTimeExcds: number;
  readonly IcmpOutEchos: number; readonly IcmpOutEchoReps: number;
  readonly TcpActiveOpens: number; readonly TcpPassiveOpens: number; readonly TcpAttemptFails: number; readonly TcpEstabResets: number;
  readonly TcpCurrEstab: number; readonly TcpInSegs: number; readonly TcpOutSegs: number; readonly TcpRetransSegs: number;
  readonly TcpInErrs: number; readonly TcpOutRsts: number; readonly TcpInCsumErrors: number;
  readonly UdpInDatagrams: number; readonly UdpNoPorts: number; readonly UdpInErrors: number; readonly UdpOutDatagrams: number;
  readonly UdpRcvbufErrors: number; readonly UdpSndbufErrors: number; readonly UdpInCsumErrors: number; readonly UdpMemErrors: number;
  readonly TcpExtListenOverflows: number; readonly TcpExtListenDrops: number; readonly TcpExtTCPOrigDataSent: number;
  readonly TcpExtDelayedACKs: number; readonly TcpExtTCPPureAcks: number; readonly TcpExtTCPHPAcks: number; readonly TcpExtTCPHPHits: number;
  readonly TcpExtTCPBacklogDrop: number; readonly TcpExtTCPRcvQDrop: number; readonly TcpExtTCPZeroWindowDrop: number;
  readonly TcpExtIPReversePathFilter: number; readonly TcpExtTCPTimeouts: number; readonly TcpExtTCPFastRetrans: number;
  readonly TcpExtTCPSlowStartRetrans: number; readonly TcpExtTCPSynRetrans: number; readonly TcpExtTCPDelivered: number;
  readonly TcpExtTW: number; readonly TcpExtTCPOFOQueue: number; readonly TcpExtTCPLossProbes: number;
  readonly IpExtInNoRoutes: number; readonly IpExtInTruncatedPkts: number; readonly IpExtInOctets: number; readonly IpExtOutOctets: number;
  readonly IpExtInCsumErrors: number; readonly IpExtInNoECTPkts: number; readonly IpExtReasmOverlaps: number;
};

/** A host's MIB storage: the flat counters plus the dynamic IcmpMsg In/Out type tables. */
export class SnmpCounters {
  readonly v = new Float64Array(SNMP_NAMES.length);
  readonly icmpMsgIn = new Float64Array(256);
  readonly icmpMsgOut = new Float64Array(256);

  constructor() {
    // Constant rows that /proc/net/snmp prints (net/ipv4/proc.c).
    this.v[MIB.IpForwarding] = 2;
    this.v[MIB.IpDefaultTTL] = 64;
    this.v[MIB.TcpRtoAlgorithm!] = 1;
    this.v[MIB.TcpRtoMin!] = 200;
    this.v[MIB.TcpRtoMax!] = 120000;
    this.v[MIB.TcpMaxConn!] = -1;
  }

  get(name: string): number {
    const m = /^IcmpMsg(In|Out)Type(\d+)$/.exec(name);
    if (m) return (m[1] === 'In' ? this.icmpMsgIn : this.icmpMsgOut)[Number(m[2])] ?? 0;
    const i = index[name];
    if (i === undefined) throw new Error(`unknown counter ${name}`);
    return this.v[i]!;
  }

  /** All counters as nstat names them, IcmpMsg included where non-zero. */
  entries(): Array<[string, number]> {
    const out: Array<[string, number]> = SNMP_NAMES.map((n, i) => [n, this.v[i]!]);
    for (let t = 0; t < 256; t++) if (this.icmpMsgIn[t]) out.push([`IcmpMsgInType${t}`, this.icmpMsgIn[t]!]);
    for (let t = 0; t < 256; t++) if (this.icmpMsgOut[t]) out.push([`IcmpMsgOutType${t}`, this.icmpMsgOut[t]!]);
    return out;
  }
}

export function isSnmpName(name: string): boolean {
  return index[name] !== undefined || /^IcmpMsg(In|Out)Type\d+$/.test(name);
}
