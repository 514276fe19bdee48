// Reads a libpcap savefile (sf-pcap.c pcap_check_header / pcap_next_packet):
// either magic, either byte order, and refuses a truncated or corrupt file
// with the byte offset and what is wrong.

import { NSEC_PER_USEC } from '../../model/time.js';
import {
  MAXIMUM_SNAPLEN, PCAP_FILE_HDR_LEN, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, PCAP_RECORD_HDR_LEN, PCAP_VERSION_MAJOR,
} from './format.js';

/** Larger snaplens than this are not a capture setting but a corrupt header. */
const ABSURD_SNAPLEN = 0x4000000;

export interface PcapRecord {
  sec: number;
  /** Nanoseconds within the second (microsecond files are scaled up). */
  nsec: number;
  /** Bytes captured (≤ snaplen) and the packet's length on the wire. */
  caplen: number;
  origLen: number;
  data: Uint8Array;
  /** Offset of the record header in the file. */
  offset: number;
}

export interface PcapFile {
  linktype: number;
  snaplen: number;
  nanos: boolean;
  bigEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  records: PcapRecord[];
}

export class PcapError {
  constructor(readonly offset: number, readonly what: string) {}

  /** `pcap: truncated packet record at byte 1234: header says 98 bytes, 40 remain`. */
  get message(): string {
    return `pcap: ${this.what}`;
  }
}

function hex8(v: number): string {
  return '0x' + v.toString(16).padStart(8, '0');
}

export function readPcap(bytes: Uint8Array): PcapFile | PcapError {
  if (bytes.length < PCAP_FILE_HDR_LEN) {
    return new PcapError(0, `truncated file header at byte 0: needs ${PCAP_FILE_HDR_LEN} bytes, ${bytes.length} remain`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = v.getUint32(0, true);
  let le: boolean;
  let nanos: boolean;
  if (magicLe === PCAP_MAGIC_USEC || magicLe === PCAP_MAGIC_NSEC) { le = true; nanos = magicLe === PCAP_MAGIC_NSEC; }
  else {
    const magicBe = v.getUint32(0, false);
    if (magicBe === PCAP_MAGIC_USEC || magicBe === PCAP_MAGIC_NSEC) { le = false; nanos = magicBe === PCAP_MAGIC_NSEC; }
    else return new PcapError(0, `bad magic number ${hex8(v.getUint32(0, false))} at byte 0: not a pcap savefile`);
  }
  const versionMajor = v.getUint16(4, le);
  const versionMinor = v.getUint16(6, le);
  if (versionMajor !== PCAP_VERSION_MAJOR) {
    return new PcapError(4, `unsupported savefile version ${versionMajor}.${versionMinor} at byte 4: expected 2.x`);
  }
  const snaplen = v.getUint32(16, le);
  if (snaplen === 0 || snaplen > ABSURD_SNAPLEN) {
    return new PcapError(16, `absurd snaplen ${snaplen} at byte 16: must be 1..${ABSURD_SNAPLEN}`);
  }
  const linktype = v.getUint32(20, le) & 0x03ffffff; // the upper bits carry FCS flags (LT_LINKTYPE)
  const maxCaplen = Math.max(snaplen, MAXIMUM_SNAPLEN);
  const records: PcapRecord[] = [];
  let off = PCAP_FILE_HDR_LEN;
  while (off < bytes.length) {
    const remain = bytes.length - off;
    if (remain < PCAP_RECORD_HDR_LEN) {
      return new PcapError(off, `truncated packet record header at byte ${off}: needs ${PCAP_RECORD_HDR_LEN} bytes, ${remain} remain`);
    }
    const sec = v.getUint32(off, le);
    const frac = v.getUint32(off + 4, le);
    const caplen = v.getUint32(off + 8, le);
    const origLen = v.getUint32(off + 12, le);
    if (frac >= (nanos ? 1_000_000_000 : 1_000_000)) {
      return new PcapError(off + 4, `corrupt packet record at byte ${off}: ${nanos ? 'nanosecond' : 'microsecond'} field ${frac} is not below one second`);
    }
    if (caplen > maxCaplen) {
      return new PcapError(off + 8, `corrupt packet record at byte ${off}: captured length ${caplen} is bigger than the snaplen ${snaplen}`);
    }
    const body = remain - PCAP_RECORD_HDR_LEN;
    if (caplen > body) {
      return new PcapError(off, `truncated packet record at byte ${off}: header says ${caplen} bytes, ${body} remain`);
    }
    const start = off + PCAP_RECORD_HDR_LEN;
    records.push({ sec, nsec: nanos ? frac : frac * NSEC_PER_USEC, caplen, origLen: Math.max(origLen, caplen), data: bytes.subarray(start, start + caplen), offset: off });
    off = start + caplen;
  }
  return { linktype, snaplen, nanos, bigEndian: !le, versionMajor, versionMinor, records };
}
