// The player's UI state: paused, playing, or (in predict mode) waiting for the
// learner's guess before the next event is revealed. The position is the index
// of the event shown; -1 is "before the first event". Everything drawn is a
// function of the position, so the machine only moves that number.

import { assign, setup } from 'xstate';

export interface PlayerContext {
  /** Index of the event shown, -1 before the first. */
  position: number;
  length: number;
  /** Events per second while playing. */
  speed: number;
  predict: boolean;
  /** Whether to resume playing after a prediction is answered. */
  resume: boolean;
  score: { right: number; asked: number };
}

export type PlayerEvent =
  | { type: 'LOAD'; length: number; position?: number }
  | { type: 'PLAY' }
  | { type: 'PAUSE' }
  | { type: 'TOGGLE' }
  | { type: 'STEP'; delta: number }
  | { type: 'SEEK'; position: number }
  | { type: 'TICK'; steps: number }
  | { type: 'SPEED'; speed: number }
  | { type: 'PREDICT'; on: boolean }
  | { type: 'ANSWER'; correct: boolean }
  | { type: 'SKIP' };

export const SPEEDS = [0.5, 1, 2, 4, 8, 16, 60, 250, 1000] as const;

function clamp(p: number, length: number): number {
  return Math.max(-1, Math.min(length - 1, Math.trunc(p)));
}

const atEnd = ({ context }: { context: PlayerContext }): boolean => context.position >= context.length - 1;

export const playerMachine = setup({
  types: {
    context: {} as PlayerContext,
    events: {} as PlayerEvent,
  },
  guards: {
    atEnd,
    forwardPrediction: ({ context, event }) =>
      context.predict && event.type === 'STEP' && event.delta === 1 && !atEnd({ context }),
    predictOn: ({ context }) => context.predict,
    resume: ({ context }) => context.resume,
  },
  actions: {
    step: assign({
      position: ({ context, event }) =>
        event.type === 'STEP' ? clamp(context.position + event.delta, context.length) : context.position,
    }),
    seek: assign({
      position: ({ context, event }) =>
        event.type === 'SEEK' ? clamp(event.position, context.length) : context.position,
    }),
    tick: assign({
      position: ({ context, event }) =>
        event.type === 'TICK' ? clamp(context.position + event.steps, context.length) : context.position,
    }),
    reveal: assign({
      position: ({ context }) => clamp(context.position + 1, context.length),
      score: ({ context, event }) =>
        event.type === 'ANSWER'
          ? { right: context.score.right + (event.correct ? 1 : 0), asked: context.score.asked + 1 }
          : context.score,
    }),
  },
}).createMachine({
  id: 'player',
  initial: 'paused',
  context: { position: -1, length: 0, speed: 4, predict: false, resume: false, score: { right: 0, asked: 0 } },
  on: {
    LOAD: {
      target: '.paused',
      actions: assign({
        length: ({ event }) => event.length,
        position: ({ event }) => clamp(event.position ?? -1, event.length),
        score: () => ({ right: 0, asked: 0 }),
      }),
    },
    SPEED: { actions: assign({ speed: ({ event }) => event.speed }) },
    PREDICT: {
      target: '.paused',
      actions: assign({ predict: ({ event }) => event.on, score: () => ({ right: 0, asked: 0 }) }),
    },
  },
  states: {
    paused: {
      on: {
        PLAY: { target: 'playing', guard: ({ context }) => !atEnd({ context }) },
        TOGGLE: { target: 'playing', guard: ({ context }) => !atEnd({ context }) },
        STEP: [
          { guard: 'forwardPrediction', target: 'predicting', actions: assign({ resume: false }) },
          { actions: 'step' },
        ],
        SEEK: { actions: 'seek' },
      },
    },
    playing: {
      on: {
        PAUSE: 'paused',
        TOGGLE: 'paused',
        STEP: { target: 'paused', actions: 'step' },
        SEEK: { actions: 'seek' },
        TICK: [
          { guard: 'atEnd', target: 'paused' },
          { guard: 'predictOn', target: 'predicting', actions: assign({ resume: true }) },
          { actions: 'tick' },
        ],
      },
    },
    predicting: {
      on: {
        ANSWER: [
          { guard: 'resume', target: 'playing', actions: 'reveal' },
          { target: 'paused', actions: 'reveal' },
        ],
        SKIP: { target: 'paused', actions: 'reveal' },
        PAUSE: 'paused',
        TOGGLE: 'paused',
        STEP: { target: 'paused', guard: ({ event }) => event.delta < 0, actions: 'step' },
        SEEK: { target: 'paused', actions: 'seek' },
      },
    },
  },
});
