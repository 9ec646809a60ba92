import { describe, expect, it } from 'vitest';
import { summarizeProfiles } from './profile-summary.ts';

const frame = (functionName: string, url: string) => ({ functionName, url });

describe('profile summary', () => {
  it('sums self time by owner, each sample taking the delta after it', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        {
          id: 2,
          callFrame: frame('pushFrame', 'file:///w/node_modules/@livekit/rtc-node/dist/a.js'),
        },
        { id: 3, callFrame: frame('admit', 'file:///w/agent/src/call/admit.ts') },
        { id: 4, callFrame: frame('(idle)', '') },
      ],
      samples: [2, 2, 3, 4],
      timeDeltas: [0, 1000, 2000, 3000],
    };
    expect(summarizeProfiles([profile])).toEqual(
      [
        { owner: 'idle', ms: 0 },
        { owner: '@livekit/rtc-node (FFI binding)', ms: 3 },
        { owner: 'this product (agent/src, contracts)', ms: 3 },
      ].sort((a, b) => b.ms - a.ms),
    );
  });
});
