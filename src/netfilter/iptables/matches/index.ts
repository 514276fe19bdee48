// The match modules `-m NAME` can load, by name (xtables_find_match).

import type { ExtensionDef, Match } from '../extension.js';
import { addrtypeMatch } from './addrtype.js';
import { commentMatch } from './comment.js';
import { conntrackMatch, stateMatch } from './conntrack.js';
import { icmpMatch } from './icmp.js';
import { lengthMatch } from './length.js';
import { limitMatch } from './limit.js';
import { connmarkMatch, markMatch } from './mark.js';
import { multiportMatch } from './multiport.js';
import { nfacctMatch } from './nfacct.js';
import { recentMatch } from './recent.js';
import { setMatch } from './set.js';
import { statisticMatch } from './statistic.js';
import { tcpMatch, udpMatch } from './tcp_udp.js';
import { ttlMatch } from './ttl.js';

export const MATCHES: ReadonlyMap<string, ExtensionDef<Match>> = new Map(
  [
    tcpMatch, udpMatch, icmpMatch, multiportMatch, conntrackMatch, stateMatch, markMatch, connmarkMatch,
    limitMatch, statisticMatch, lengthMatch, ttlMatch, commentMatch, addrtypeMatch, recentMatch, setMatch, nfacctMatch,
  ].map((d) => [d.name, d]),
);
