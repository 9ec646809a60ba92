import { describe, expect, it } from 'vitest';
import { summarizeProfiles } from './profile-summary.ts';

const frame = (functionName: string, url: string) => ({ functionName, url });

describe('profile summary', () => {
  it("counts from the first sample inside the code asked for, leaving the process's start out", () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3] },
        { id: 2, callFrame: frame('compile', 'node:internal/modules/esm/utils') },
        {
          id: 3,
          callFrame: frame('answerCall', 'file:///w/agent/src/call/answer.ts'),
          children: [4],
        },
        { id: 4, callFrame: frame('push', 'file:///w/node_modules/@livekit/agents/dist/x.js') },
      ],
      samples: [2, 2, 4, 2],
      timeDeltas: [0, 5000, 5000, 1000, 2000],
    };
    expect(summarizeProfiles([profile], { fromUrl: /\/agent\/src\/call\// })).toEqual([
      { owner: 'Node.js internals', ms: 2 },
      { owner: '@livekit/agents (framework)', ms: 1 },
    ]);
  });

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
