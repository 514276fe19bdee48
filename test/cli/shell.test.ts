import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

/** Drives `pktpath shell` through a pipe, one command per line, as a person would type them. */
function shell(lines: string[], args: string[] = []): { out: string; status: number } {
  const r = spawnSync('node', ['bin/pktpath.js', 'shell', 'scenarios/inbound-tcp.yaml', ...args], { input: lines.join('\n') + '\n', encoding: 'utf8' });
  return { out: r.stdout, status: r.status ?? -1 };
}

describe('pktpath shell', () => {
  it('prompts as root on the host and fails unknown commands as bash does', () => {
    const { out, status } = shell(['foo --bar', 'echo $?', 'exit 3']);
    expect(out).toBe('root@server:~# foo --bar\nbash: foo: command not found\nroot@server:~# echo $?\necho 127\n127\nroot@server:~# exit 3\n'.replace('echo 127\n', ''));
    expect(status).toBe(3);
  });

  it('advances simulated time with sleep and advance, then a capture stops after -c packets with tcpdump\'s summary', () => {
    const { out } = shell(['now', 'advance 900us', 'sleep 0.5ms', 'sleep 0.00005', 'now', 'tcpdump -i eth0 -n -c 2', 'exit']);
    expect(out).toContain('root@server:~# now\n0.000000000s\n');
    expect(out).toContain('root@server:~# now\n0.000950000s\n');
    expect(out).toContain('sleep: invalid time interval ‘0.5ms’');
    expect(out).toMatch(/listening on eth0, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes\n\d\d:\d\d:\d\d\.\d{6} IP 192\.168\.1\.1\.\d+ > 192\.168\.1\.2\.443: .*\n.* IP .*\n2 packets captured\n2 packets received by filter\n0 packets dropped by kernel\n/);
  });

  it('Ctrl-C stops a running capture and prints what it caught; pipes and the capture file work afterwards', () => {
    const { out } = shell(['advance 900us', 'tcpdump -i any -w /tmp/capture.pcap', '\x03', 'tcpdump -r /tmp/capture.pcap -n | wc -l', 'ls /tmp', 'exit']);
    const m = /\^C\n(\d+) packets captured\n\d+ packets received by filter\n0 packets dropped by kernel\n/.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(out).toContain(`reading from file /tmp/capture.pcap, link-type LINUX_SLL (Linux cooked v1), snapshot length 262144\n${m![1]}\n`);
    expect(out).toContain('root@server:~# ls /tmp\ncapture.pcap\n');
  });

  it('keeps a history and streams a background capture while time advances', () => {
    const { out } = shell(['tcpdump -i eth0 -n -c 1 &', 'sleep 0.01', 'history', 'exit']);
    expect(out).toMatch(/\[1\] \d+\n/);
    expect(out).toMatch(/root@server:~# sleep 0\.01\n\d\d:\d\d:\d\d\.\d{6} IP .*\n1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n\[1\]\+  Done +tcpdump -i eth0 -n -c 1\n/);
    expect(out).toContain('    1  tcpdump -i eth0 -n -c 1 &\n    2  sleep 0.01\n    3  history\n');
  });
});
