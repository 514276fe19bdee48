// Points where optional subsystems (netfilter rulesets and conntrack, NIC
// offloads, ping, pcap replay) join scenario building without the builder
// importing them all. Each subsystem's module installs its hook on load.

import type { Host } from '../model/host.js';
import type { NetDevice } from '../nic/net_device.js';
import type { World } from '../model/world.js';
import type { HostDoc, NicDoc, TrafficDoc } from './schema.js';
import type { PathKey } from './diagnostics.js';
import type { CompileOptions } from './build.js';

type Report = (path: PathKey[], message: string, onKey?: boolean) => void;

export interface HostExtensions {
  configureDevice?: (host: Host, dev: NetDevice, nic: NicDoc, report: Report) => void;
  beforeSysctls?: (host: Host, h: HostDoc, report: Report) => void;
  configureHost?: (host: Host, h: HostDoc, opts: CompileOptions, report: Report) => void;
  /** Returns true when it handled a traffic kind. */
  traffic?: (world: World, t: TrafficDoc, at: number, opts: CompileOptions, report: Report) => boolean;
}

export const hostExtensions: HostExtensions = {};
