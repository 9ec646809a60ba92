/**
 * The agent definition: what a worker job runs. Imported by the worker's job
 * processes (and by tests) without starting a worker. Prewarm loads the VAD
 * model and the recognizer dictionary once per job process, before a call arrives.
 */
import { defineAgent, type JobContext, type JobProcess } from '@livekit/agents';
import { answerCall } from './call/answer.ts';
import { agentConfig } from './config.ts';
import { loadDictionaryWords } from './voice/offline/pocketsphinx-model.ts';
import { loadVad, type PrewarmedVoice } from './voice/providers/local-models.ts';

type ProcessData = Partial<PrewarmedVoice>;

export default defineAgent<ProcessData>({
  prewarm: async (proc: JobProcess<ProcessData>) => {
    proc.userData.vad = await loadVad(agentConfig().voice.turn);
    // The offline recognizer's 126k-word dictionary: read once, off the call path.
    loadDictionaryWords();
  },
  entry: async (ctx: JobContext<ProcessData>) => {
    const config = agentConfig();
    await answerCall(ctx, config, ctx.proc.userData.vad ?? (await loadVad(config.voice.turn)));
  },
});
