// A full-duplex cable between two NICs: a bit rate (serialization), a
// propagation delay, an MTU, and optional seeded loss, per direction.
// Wire time follows IEEE 802.3: frame + 4 FCS + 8 preamble + 12 inter-frame gap.

import type { RandomStream } from '../model/random.js';
import type { NetDevice } from './net_device.js';

/** Bytes a frame occupies on the wire besides its L2 header and payload. */
export const WIRE_OVERHEAD = 4 + 8 + 12;
/** Minimum Ethernet frame without FCS (64 with it). */
export const ETH_ZLEN = 60;

/** One direction of the link: the transmitting device and its peer. */
export class LinkEnd {
  /** The wire in this direction is busy until this time. */
  busyUntil = 0;
  framesSent = 0;
  framesLost = 0;
  constructor(
    readonly link: Link,
    readonly from: NetDevice,
    readonly to: NetDevice,
  ) {}
}

export class Link {
  readonly ab: LinkEnd;
  readonly ba: LinkEnd;

  constructor(
    readonly a: NetDevice,
    readonly b: NetDevice,
    /** Bits per second. */
    readonly rateBps: number,
    readonly delayNs: number,
    readonly mtu: number,
    /** Probability a frame is lost on the wire. */
    readonly loss: number,
    readonly random: RandomStream,
    /** Extra uniform random delay per frame (reordering), ns. */
    readonly jitterNs: number,
  ) {
    this.ab = new LinkEnd(this, a, b);
    this.ba = new LinkEnd(this, b, a);
    a.link = this;
    a.linkEnd = this.ab;
    b.link = this;
    b.linkEnd = this.ba;
  }

  /** Outages as [from, to) pairs of times, ns: every frame that starts on the wire then is lost. */
  down: number[] = [];

  /** True when `t` falls in an outage. */
  isDown(t: number): boolean {
    const d = this.down;
    for (let i = 0; i < d.length; i += 2) if (t >= d[i]! && t < d[i + 1]!) return true;
    return false;
  }

  /** Nanoseconds to serialize a frame of `frameLen` bytes (L2 header + payload). */
  wireTimeNs(frameLen: number): number {
    const bytes = (frameLen < ETH_ZLEN ? ETH_ZLEN : frameLen) + WIRE_OVERHEAD;
    return Math.ceil((bytes * 8 * 1e9) / this.rateBps);
  }
}
