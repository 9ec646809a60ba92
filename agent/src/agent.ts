/**
 * The agent definition: what a worker job runs. Imported by the worker's job
 * processes (and by tests) without starting a worker.
 */
import { defineAgent, type JobContext, type JobProcess } from '@livekit/agents';
import { answerCall } from './call/answer.ts';
import { agentConfig } from './config.ts';

export default defineAgent({
  prewarm: (_proc: JobProcess) => {
    agentConfig();
  },
  entry: async (ctx: JobContext) => {
    await answerCall(ctx, agentConfig());
  },
});
