/**
 * The agent definition: what a worker job runs. Imported by the worker's job
 * processes (and by tests) without starting a worker. Prewarm loads the VAD
 * model, Node's fetch (worker/warm-fetch.ts) and the offline recognizer's
 * dictionary when it is the call's recognizer, once per job process, before
 * a call arrives.
 */
import { defineAgent, type JobContext, type JobProcess } from '@livekit/agents';
import { answerCall } from './call/answer.ts';
import { agentConfig } from './config.ts';
import { loadDictionaryWords } from './voice/offline/pocketsphinx-model.ts';
import { loadVad, type PrewarmedVoice } from './voice/providers/local-models.ts';
import { loadFetch } from './worker/warm-fetch.ts';

type ProcessData = Partial<PrewarmedVoice>;

export default defineAgent<ProcessData>({
  prewarm: async (proc: JobProcess<ProcessData>) => {
    const { voice } = agentConfig();
    proc.userData.vad = await loadVad(voice.turn);
    await loadFetch();
    // The offline recognizer's 126k-word dictionary, off the call path when it
    // hears every call; a cloud recognizer's fallback reads it if it takes over.
    if (voice.stt.provider === 'offline') loadDictionaryWords();
  },
  entry: async (ctx: JobContext<ProcessData>) => {
    const config = agentConfig();
    await answerCall(ctx, config, ctx.proc.userData.vad ?? (await loadVad(config.voice.turn)));
  },
});
