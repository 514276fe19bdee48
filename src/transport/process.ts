// User processes: each has a PID, runs on one CPU in process context, and
// blocks in a syscall until a socket wakes it (sk_data_ready,
// sk_write_space) after the wakeup latency. Programs (UDP sender, reader,
// TCP client and server, ping) subclass Process.

import type { Scheduler } from '../model/scheduler.js';
import type { Host } from '../model/host.js';
import { CTX_PROCESS, type Cpu } from '../model/cpu.js';
import type { Sock } from './sock.js';

export const BLOCK_NONE = 0;
export const BLOCK_RECV = 1;
export const BLOCK_SEND = 2;
export const BLOCK_ACCEPT = 3;
export const BLOCK_CONNECT = 4;
export const BLOCK_SLEEP = 5;
export const BLOCK_EXITED = 6;

export abstract class Process {
  readonly pid: number;
  /** What the process is blocked in, if anything. */
  blocked = BLOCK_NONE;
  private wakePending = false;

  constructor(readonly host: Host, readonly comm: string, readonly cpuId: number) {
    this.pid = host.nextPid++;
    host.processes.push(this);
  }

  /** Runs the program on its CPU until it blocks again or exits. */
  abstract run(cpu: Cpu): void;

  /** sk_data_ready: a reader blocked in recv wakes. */
  onReadable(_sk: Sock, t: number): void {
    if (this.blocked === BLOCK_RECV || this.blocked === BLOCK_ACCEPT) this.wake(t + this.host.lat.wakeup_ns);
  }

  /** sk_write_space: a writer blocked on a full send buffer wakes. */
  onWriteSpace(_sk: Sock, t: number): void {
    if (this.blocked === BLOCK_SEND) this.wake(t + this.host.lat.wakeup_ns);
  }

  /** A connect finished (or failed). */
  onConnected(_sk: Sock, t: number): void {
    if (this.blocked === BLOCK_CONNECT) this.wake(t + this.host.lat.wakeup_ns);
  }

  /** Schedules the process to run at `t`, once. */
  wake(t: number): void {
    if (this.wakePending || this.blocked === BLOCK_EXITED) return;
    this.wakePending = true;
    this.host.sim.at(t, processWake, this, null);
  }

  exit(): void {
    this.blocked = BLOCK_EXITED;
  }
}

function processWake(sim: Scheduler, proc: Process): void {
  proc['wakePending'] = false;
  if (proc.blocked === BLOCK_EXITED) return;
  proc.blocked = BLOCK_NONE;
  const cpu = proc.host.cpus[proc.cpuId]!;
  cpu.begin(sim.now, CTX_PROCESS);
  proc.run(cpu);
  cpu.end();
}
