import { Room } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import type { HandoffResult } from '../transfer/handoff.ts';
import { createProviderFailover } from './provider-failover.ts';
import type { TransferControl } from './transfers.ts';

function setup(result: HandoffResult['status'] = 'transferred') {
  const calls: { queue: string; reason: string; announced: boolean }[] = [];
  const said: string[] = [];
  let interrupts = 0;
  const transfers: TransferControl = {
    state: () => ({ phase: 'conversing' }),
    transfer: async (queue, reason, _summary, announce) => {
      const call = { queue, reason, announced: false };
      calls.push(call);
      await announce?.();
      call.announced = announce !== undefined;
      return { status: result, attempts: [] } as HandoffResult;
    },
  };
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const failover = createProviderFailover({
    session: {
      interrupt: () => {
        interrupts++;
        return undefined as never;
      },
      say: (text: string) => {
        said.push(text);
        return undefined as never;
      },
    },
    // Not connected: no local participant, so the announcement is skipped.
    room: new Room(),
    transfers,
    humanQueue: 'general',
    apology: Promise.resolve([]),
    log,
  });
  return { failover, calls, said, interrupts: () => interrupts };
}

describe('provider failover', () => {
  it('interrupts the session and transfers once with reason provider_failure, announcing first', async () => {
    const { failover, calls, interrupts } = setup();
    expect(failover.started()).toBeUndefined();
    const first = failover.start({ piece: 'llm', provider: 'openai.LLM' });
    const second = failover.start({ piece: 'tts', provider: 'elevenlabs.TTS' });
    expect(second).toBe(first);
    await first;
    expect(calls).toEqual([{ queue: 'general', reason: 'provider_failure', announced: true }]);
    expect(interrupts()).toBe(1);
    expect(failover.started()).toBe(first);
  });

  it('tells the caller to stay on the line when the transfer does not go through', async () => {
    const { failover, said } = setup('not_transferred');
    await failover.start({ piece: 'stt', provider: 'deepgram.STT' });
    expect(said).toEqual(['I could not connect you right now. Please stay on the line.']);
  });
});
