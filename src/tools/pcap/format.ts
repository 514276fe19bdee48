// The libpcap savefile format (pcap-savefile(5), libpcap sf-pcap.c): a 24-byte
// file header, then per packet a 16-byte record header and the captured bytes.

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_FILE_HDR_LEN = 24;
export const PCAP_RECORD_HDR_LEN = 16;
/** tcpdump's default snaplen (MAXIMUM_SNAPLEN in netdissect.h, libpcap's max_snaplen_for_dlt). */
export const MAXIMUM_SNAPLEN = 262144;

export { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from '../../wire/frame.js';

/** A packet's timestamp: whole seconds since the epoch and nanoseconds within the second. */
export interface PcapTime {
  sec: number;
  nsec: number;
}
