// The shape of a scenario file (design.md §4), checked with zod. Objects are
// strict: an unknown key is an error at its own line and column. Values
// that need parsing (times, rates, addresses) are checked in build.ts, which
// reports them at their positions too.

import { z } from 'zod';

const str = z.string();
const num = z.number();
const strOrNum = z.union([z.string(), z.number()]);
const onOff = z.union([z.enum(['on', 'off']), z.boolean()]);

export const nicSchema = z.strictObject({
  addr: z.union([str, z.array(str)]).optional(),
  mtu: num.optional(),
  rx_ring: num.optional(),
  tx_ring: num.optional(),
  queues: num.optional(),
  rps: z.union([z.boolean(), z.array(num)]).optional(),
  rx_usecs: num.optional(),
  rx_frames: num.optional(),
  txqueuelen: num.optional(),
  kind: z.enum(['physical', 'veth']).optional(),
  driver: z.enum(['ixgbe', 'mlx5', 'virtio_net', 'veth']).optional(),
  offloads: z.record(z.string(), onOff).optional(),
  rp_filter: num.optional(),
});

export const routeSchema = z.strictObject({
  to: str,
  via: str.optional(),
  dev: str.optional(),
  mtu: num.optional(),
  metric: num.optional(),
  type: z.enum(['unicast', 'blackhole', 'unreachable', 'prohibit']).optional(),
});

export const listenSchema = z.union([
  str,
  z.strictObject({
    proto: z.enum(['tcp', 'udp']),
    port: num,
    addr: str.optional(),
    backlog: num.optional(),
    rcvbuf: strOrNum.optional(),
    read_rate: str.optional(),
    work: str.optional(),
    cpu: num.optional(),
  }),
]);

export const hostSchema = z.strictObject({
  cpus: num.optional(),
  nics: z.record(z.string(), nicSchema).optional(),
  routes: z.array(routeSchema).optional(),
  sysctl: z.record(z.string(), z.union([num, str, z.array(num)])).optional(),
  iptables: str.optional(),
  iptables_file: str.optional(),
  ipsets: z.record(z.string(), z.array(str)).optional(),
  conntrack: z.boolean().optional(),
  listen: z.array(listenSchema).optional(),
  forwarding: z.boolean().optional(),
  costs: z.record(z.string(), num).optional(),
});

export const linkSchema = z.strictObject({
  a: str,
  b: str,
  rate: str.optional(),
  delay: str.optional(),
  mtu: num.optional(),
  loss: num.optional(),
  jitter: str.optional(),
  /** Outages: [from, to] time pairs during which every frame is lost, both directions. */
  down: z.array(z.array(str)).optional(),
});

export const trafficSchema = z.strictObject({
  from: str.optional(),
  kind: z.enum(['tcp', 'udp', 'pktgen', 'ping', 'pcap']),
  to: str.optional(),
  bytes: strOrNum.optional(),
  size: strOrNum.optional(),
  count: num.optional(),
  rate: str.optional(),
  pps: num.optional(),
  interval: str.optional(),
  at: str.optional(),
  sport: num.optional(),
  cpu: num.optional(),
  inject: str.optional(),
  src: str.optional(),
  flows: num.optional(),
  pmtudisc: z.enum(['dont', 'want', 'do', 'probe']).optional(),
  file: str.optional(),
  connections: num.optional(),
  tcp_flags: str.optional(),
});

export const expectSchema = z.strictObject({
  host: str,
  counter: str,
  equals: num.optional(),
  min: num.optional(),
  max: num.optional(),
});

export const scenarioSchema = z.strictObject({
  name: str,
  description: str.optional(),
  seed: num.optional(),
  duration: str.optional(),
  costs: z.record(z.string(), num).optional(),
  hosts: z.record(z.string(), hostSchema),
  links: z.array(linkSchema).optional(),
  traffic: z.array(trafficSchema).optional(),
  at: z.record(z.string(), z.array(str)).optional(),
  expect: z.array(expectSchema).optional(),
  notes: z.record(z.string(), str).optional(),
});

export type ScenarioDoc = z.infer<typeof scenarioSchema>;
export type HostDoc = z.infer<typeof hostSchema>;
export type NicDoc = z.infer<typeof nicSchema>;
export type TrafficDoc = z.infer<typeof trafficSchema>;
