import { describe, expect, it } from 'vitest';
import { createActor, getNextSnapshot } from 'xstate';
import { EV, TCP_EVENTS, TCP_STATE_NAMES, tcpMachine, tcpNextState } from '../../src/transport/tcp_states.js';

const STATES = Object.keys(tcpMachine.config.states ?? {});

describe('TCP state table', () => {
  it('the machine has exactly the kernel states of tcp_states.h', () => {
    expect([...STATES].sort()).toEqual(TCP_STATE_NAMES.slice(1).sort());
  });

  it('the numeric table agrees with the xstate machine for every state and event', () => {
    let transitions = 0;
    for (const name of STATES) {
      const state = TCP_STATE_NAMES.indexOf(name as (typeof TCP_STATE_NAMES)[number]);
      const snapshot = tcpMachine.resolveState({ value: name });
      for (const ev of TCP_EVENTS) {
        const next = getNextSnapshot(tcpMachine, snapshot, { type: ev });
        const table = tcpNextState(state, EV[ev]);
        const moved = next.value !== name || snapshot.can({ type: ev });
        if (moved) {
          transitions++;
          expect(TCP_STATE_NAMES[table], `${name} --${ev}-->`).toBe(next.value);
        } else {
          expect(table, `${name} --${ev}--> (no transition)`).toBe(0);
        }
      }
    }
    expect(transitions).toBeGreaterThan(30);
  });

  it('an active open then a close walks the RFC 793 path', () => {
    const actor = createActor(tcpMachine).start();
    const path = ['CONNECT', 'RCV_SYNACK', 'CLOSE', 'RCV_ACK_OF_FIN', 'RCV_FIN', 'TIMEOUT'] as const;
    const seen: string[] = [];
    let s = 7; // TCP_CLOSE
    for (const ev of path) {
      actor.send({ type: ev });
      seen.push(String(actor.getSnapshot().value));
      s = tcpNextState(s, EV[ev]);
      expect(TCP_STATE_NAMES[s]).toBe(actor.getSnapshot().value);
    }
    expect(seen).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE']);
    actor.stop();
  });
});
