// Registers every command-line tool with the runner.

import './sysctl.js';
import './ethtool.js';
import './ip.js';
import './netfilter.js';
import './text.js';
import './tcpdump.js';
