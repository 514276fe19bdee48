import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runEthtoolFeatures } from '../../src/tools/ethtool_features.js';
import { createNetdevFeatures, NETIF_F, type DeviceKind, type NetdevFeatures } from '../../src/nic/netdev_features.js';

interface Capture {
  argv: string[];
  stdout: string;
  stderr: string;
  exitCode: number;
}

const fixtureDir = new URL('./fixtures/ethtool/', import.meta.url);
const veth = JSON.parse(readFileSync(new URL('veth_sessions.json', fixtureDir), 'utf8')) as {
  sessions: Record<string, Capture[]>;
};

function host(kind: DeviceKind, name: string): Map<string, NetdevFeatures> {
  return new Map([[name, createNetdevFeatures(kind)]]);
}

describe('ethtool -k / -K against captures from ethtool 6.1 on Linux 6.18', () => {
  for (const [session, steps] of Object.entries(veth.sessions)) {
    it(`replays the veth session "${session}" byte for byte`, () => {
      const devices = host('veth', 'va');
      for (const step of steps) {
        const got = runEthtoolFeatures(step.argv, devices);
        expect({ argv: step.argv, ...got }).toEqual(step);
      }
    });
  }

  it('prints the virtio_net profile exactly as eth0 on the reference VM', () => {
    const want = readFileSync(new URL('virtio_net_eth0_k.txt', fixtureDir), 'utf8');
    expect(runEthtoolFeatures(['-k', 'eth0'], host('virtio_net', 'eth0'))).toEqual({ stdout: want, stderr: '', exitCode: 0 });
  });
});

describe('feature dependencies (netdev_fix_features)', () => {
  const kinds: DeviceKind[] = ['veth', 'virtio_net', 'ixgbe', 'mlx5'];
  const toggles = ['rx', 'tx', 'sg', 'tso', 'gso', 'gro', 'lro', 'rx-gro-hw', 'tx-checksum-ip-generic', 'tx-checksum-ipv4', 'rx-fcs'];

  it('never leaves TSO on without SG and a TX checksum, GSO without SG, or hw GRO without RX csum', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.array(fc.tuple(fc.constantFrom(...toggles), fc.boolean()), { maxLength: 12 }),
        (kind, ops) => {
          const devices = host(kind, 'eth0');
          for (const [name, on] of ops) runEthtoolFeatures(['-K', 'eth0', name, on ? 'on' : 'off'], devices);
          const f = devices.get('eth0')!;
          if (f.tso) expect(f.sg && f.txCsum).toBe(true);
          if (f.gso) expect(f.sg).toBe(true);
          if (f.groHw) expect(f.rxCsum).toBe(true);
          if (f.has(NETIF_F.TSO_MANGLEID)) expect(f.tso).toBe(true);
          expect(f.lro && f.groHw).toBe(false);
        },
      ),
    );
  });

  it('brings TSO back when tx is turned on again, because the wish was kept', () => {
    const devices = host('ixgbe', 'eth0');
    runEthtoolFeatures(['-K', 'eth0', 'tx', 'off'], devices);
    expect(devices.get('eth0')!.tso).toBe(false);
    expect(runEthtoolFeatures(['-k', 'eth0'], devices).stdout).toContain('\ttx-tcp-segmentation: off [requested on]\n');
    runEthtoolFeatures(['-K', 'eth0', 'tx', 'on'], devices);
    expect(devices.get('eth0')!.tso).toBe(true);
  });

  it('lets a physical NIC change lro while veth and virtio_net keep it fixed off', () => {
    const phys = host('ixgbe', 'eth0');
    expect(runEthtoolFeatures(['-K', 'eth0', 'lro', 'off'], phys)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(phys.get('eth0')!.lro).toBe(false);
    const virt = host('virtio_net', 'eth0');
    expect(runEthtoolFeatures(['-K', 'eth0', 'lro', 'on'], virt)).toEqual({
      stdout: 'Actual changes:\nrx-lro: off [requested on]\n',
      stderr: 'Could not change any device features\n',
      exitCode: 1,
    });
  });

  it('drops LRO when hw GRO is turned on (mlx5)', () => {
    const devices = host('mlx5', 'eth0');
    runEthtoolFeatures(['-K', 'eth0', 'lro', 'on'], devices);
    expect(devices.get('eth0')!.lro).toBe(true);
    const r = runEthtoolFeatures(['-K', 'eth0', 'rx-gro-hw', 'on'], devices);
    expect(r.stdout).toBe('Actual changes:\nrx-lro: off [not requested]\nrx-gro-hw: on\n');
    expect(r.exitCode).toBe(0);
  });
});
