import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'agent/**/*.test.ts',
            'dispatch/**/*.test.ts',
            'contracts/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          typecheck: { enabled: true, tsconfig: './tsconfig.json' },
        },
      },
      {
        // Real-stack tests: redis, livekit-server, livekit-sip, dispatch, agent and sipp.
        // One file at a time; each starts and stops its own stack on its own ports.
        test: {
          name: 'stack',
          include: ['test/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
