// `ethtool` on a simulated host: -k/-K (src/tools/ethtool_features.ts), -S
// (driver statistics as `NIC statistics:` lines), -g (ring sizes) and -c
// (interrupt coalescing), in ethtool 6.1's formats.

import type { Host } from '../model/host.js';
import type { NetDevice } from '../nic/net_device.js';
import type { NetdevFeatures } from '../nic/netdev_features.js';
import { registerTool, type CommandResult } from './runner.js';
import { isEthtoolFeaturesCommand, runEthtoolFeatures } from './ethtool_features.js';

const BAD_ARGS = 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n';

function features(host: Host): { get(name: string): NetdevFeatures | undefined } {
  return { get: (name) => (host.devByName.get(name)?.features as NetdevFeatures | null) ?? undefined };
}

/** ethtool -S: per-queue counters as virtio_net names them, the veth set for a veth. */
function stats(dev: NetDevice): string {
  const lines: string[] = [];
  if (dev.kind === 'veth') {
    lines.push(`peer_ifindex: ${dev.linkEnd?.to.ifindex ?? 0}`);
    dev.rxQueues.forEach((_, i) => {
      for (const n of ['xdp_packets', 'xdp_bytes', 'drops', 'xdp_redirect', 'xdp_drops', 'xdp_tx', 'xdp_tx_errors']) {
        lines.push(`rx_queue_${i}_${n}: ${n === 'drops' ? dev.stats.rx_dropped : 0}`);
      }
    });
    lines.push('tx_queue_0_xdp_xmit: 0', 'tx_queue_0_xdp_xmit_errors: 0');
  } else {
    dev.rxQueues.forEach((q, i) => {
      lines.push(`rx_queue_${i}_packets: ${q.packets}`, `rx_queue_${i}_bytes: ${q.bytes}`);
    });
    lines.push(`tx_queue_0_packets: ${dev.stats.tx_packets}`, `tx_queue_0_bytes: ${dev.stats.tx_bytes}`);
    lines.push(`rx_missed_errors: ${dev.stats.rx_missed_errors}`, `rx_dropped: ${dev.stats.rx_dropped}`, `tx_dropped: ${dev.stats.tx_dropped}`);
  }
  return `NIC statistics:\n${lines.map((l) => `     ${l}\n`).join('')}`;
}

/** ethtool -g (netlink rings: nl_gring). */
function rings(dev: NetDevice): string {
  const rx = dev.rxQueues[0]?.ring.size ?? 0;
  const tx = dev.txq.ringSize;
  return `Ring parameters for ${dev.name}:\nPre-set maximums:\nRX:\t\t\t${rx}\nRX Mini:\t\tn/a\nRX Jumbo:\t\tn/a\nTX:\t\t\t${tx}\n` +
    `Current hardware settings:\nRX:\t\t\t${rx}\nRX Mini:\t\tn/a\nRX Jumbo:\t\tn/a\nTX:\t\t\t${tx}\n\n`;
}

/** ethtool -c (netlink coalesce: nl_gcoalesce), the fields this model has. */
function coalesce(dev: NetDevice): string {
  return `Coalesce parameters for ${dev.name}:\nAdaptive RX: n/a  TX: n/a\n\nrx-usecs: ${dev.rxUsecs}\nrx-frames: ${dev.rxFrames}\n\n`;
}

export function ethtool(host: Host, argv: string[]): CommandResult {
  if (isEthtoolFeaturesCommand(argv)) return runEthtoolFeatures(argv, features(host));
  const [opt, name] = argv;
  if (opt === undefined || name === undefined || argv.length > 2) return { stdout: '', stderr: BAD_ARGS, exitCode: 1 };
  const dev = host.devByName.get(name);
  if (!dev) return { stdout: '', stderr: 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n', exitCode: 1 };
  switch (opt) {
    case '-S': case '--statistics': return { stdout: stats(dev), stderr: '', exitCode: 0 };
    case '-g': case '--show-ring': return { stdout: rings(dev), stderr: '', exitCode: 0 };
    case '-c': case '--show-coalesce': return { stdout: coalesce(dev), stderr: '', exitCode: 0 };
    default: return { stdout: '', stderr: BAD_ARGS, exitCode: 1 };
  }
}

registerTool('ethtool', (host, argv) => ethtool(host, argv));
