// Registers every command-line tool with the runner.

import './sysctl.js';
import './ethtool.js';
import './ip.js';
import './netfilter.js';
import './text.js';
import './tcpdump.js';
import './netstat.js';
import './nstat.js';
import './proc_net.js';
import './ss.js';
import './dropwatch.js';
import './perf_trace.js';
import './ping.js';
