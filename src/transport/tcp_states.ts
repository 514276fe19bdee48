// TCP connection states (include/net/tcp_states.h) and their transitions
// (RFC 793 figure 6, as net/ipv4/tcp_input.c and tcp.c implement them),
// written as an xstate machine so the diagram is data that can be inspected
// and tested. The packet path does not run xstate: it uses the numeric
// transition table derived from the machine once, at load time.

import { setup } from 'xstate';

export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_SYN_RECV = 3;
export const TCP_FIN_WAIT1 = 4;
export const TCP_FIN_WAIT2 = 5;
export const TCP_TIME_WAIT = 6;
export const TCP_CLOSE = 7;
export const TCP_CLOSE_WAIT = 8;
export const TCP_LAST_ACK = 9;
export const TCP_LISTEN = 10;
export const TCP_CLOSING = 11;

export const TCP_STATE_NAMES = [
  '', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE',
  'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING',
] as const;

/** Events that move a connection between states. */
export const TCP_EVENTS = [
  'CONNECT', 'LISTEN', 'RCV_SYN', 'RCV_SYNACK', 'RCV_ACK', 'RCV_FIN', 'RCV_ACK_OF_FIN', 'RCV_FIN_ACK',
  'RCV_RST', 'CLOSE', 'TIMEOUT',
] as const;
export type TcpEvent = (typeof TCP_EVENTS)[number];

export const tcpMachine = setup({
  types: { events: {} as { type: TcpEvent } },
}).createMachine({
  id: 'tcp',
  initial: 'CLOSE',
  states: {
    CLOSE: { on: { CONNECT: 'SYN_SENT', LISTEN: 'LISTEN' } },
    LISTEN: { on: { RCV_SYN: 'SYN_RECV', CLOSE: 'CLOSE' } },
    SYN_SENT: { on: { RCV_SYNACK: 'ESTABLISHED', RCV_SYN: 'SYN_RECV', RCV_RST: 'CLOSE', TIMEOUT: 'CLOSE', CLOSE: 'CLOSE' } },
    SYN_RECV: { on: { RCV_ACK: 'ESTABLISHED', RCV_RST: 'CLOSE', TIMEOUT: 'CLOSE', CLOSE: 'FIN_WAIT1' } },
    ESTABLISHED: { on: { CLOSE: 'FIN_WAIT1', RCV_FIN: 'CLOSE_WAIT', RCV_RST: 'CLOSE', TIMEOUT: 'CLOSE' } },
    FIN_WAIT1: { on: { RCV_ACK_OF_FIN: 'FIN_WAIT2', RCV_FIN: 'CLOSING', RCV_FIN_ACK: 'TIME_WAIT', RCV_RST: 'CLOSE', TIMEOUT: 'CLOSE' } },
    FIN_WAIT2: { on: { RCV_FIN: 'TIME_WAIT', RCV_RST: 'CLOSE', TIMEOUT: 'CLOSE' } },
    CLOSING: { on: { RCV_ACK_OF_FIN: 'TIME_WAIT', RCV_RST: 'CLOSE', TIMEOUT: 'CLOSE' } },
    TIME_WAIT: { on: { TIMEOUT: 'CLOSE', RCV_RST: 'CLOSE' } },
    CLOSE_WAIT: { on: { CLOSE: 'LAST_ACK', RCV_RST: 'CLOSE', TIMEOUT: 'CLOSE' } },
    LAST_ACK: { on: { RCV_ACK_OF_FIN: 'CLOSE', RCV_RST: 'CLOSE', TIMEOUT: 'CLOSE' } },
  },
});

/** TRANSITIONS[state * EV_COUNT + event] → next state, or 0 when the event does not apply. */
const EV_COUNT = TCP_EVENTS.length;
const TRANSITIONS = new Uint8Array(TCP_STATE_NAMES.length * EV_COUNT);
for (const [name, node] of Object.entries(tcpMachine.config.states ?? {})) {
  const from = TCP_STATE_NAMES.indexOf(name as (typeof TCP_STATE_NAMES)[number]);
  for (const [ev, target] of Object.entries((node as { on?: Record<string, string> }).on ?? {})) {
    TRANSITIONS[from * EV_COUNT + TCP_EVENTS.indexOf(ev as TcpEvent)] = TCP_STATE_NAMES.indexOf(target as (typeof TCP_STATE_NAMES)[number]);
  }
}

export const EV: Record<TcpEvent, number> = Object.fromEntries(TCP_EVENTS.map((e, i) => [e, i])) as Record<TcpEvent, number>;

/** The state `event` leads to from `state`, or 0 if the machine has no such transition. */
export function tcpNextState(state: number, event: number): number {
  return TRANSITIONS[state * EV_COUNT + event]!;
}
