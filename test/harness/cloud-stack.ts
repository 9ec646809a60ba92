/**
 * A real stack whose agent runs the cloud voice (VOICE_MODE=cloud: the real
 * Deepgram, OpenAI and ElevenLabs plugins) against the FAKE providers of
 * test/fakes/, as the cloud-voice tests use it.
 */
import { startCloudFakes, type CloudFakes } from '../fakes/cloud.ts';
import { startStack, type Stack } from './stack.ts';

export type CloudStack = Readonly<{
  fakes: CloudFakes;
  stack: Stack;
  /** Stops the stack, then the fakes; safe after a failed start. */
  stop: () => Promise<void>;
}>;

/**
 * @example
 * const { stack, fakes, stop } = await startCloudStack({ name: 'test-cloud-exits', script: ["I'd like to talk to a person."] });
 */
export async function startCloudStack(opts: {
  name: string;
  /** The FAKE Deepgram's caller lines (one per utterance of each call). */
  script: readonly string[];
  routingFile?: string;
  /** Stack slot; the cloud-voice files use 6. */
  slot?: number;
}): Promise<CloudStack> {
  const fakes = await startCloudFakes({ profile: 'zero', script: opts.script });
  let stack: Stack;
  try {
    stack = await startStack({
      slot: opts.slot ?? 6,
      name: opts.name,
      ...(opts.routingFile ? { routingFile: opts.routingFile } : {}),
      agentEnv: fakes.agentEnv,
    });
  } catch (err) {
    await fakes.close();
    throw err;
  }
  return Object.freeze({
    fakes,
    stack,
    stop: async () => {
      await stack.stop();
      await fakes.close();
    },
  });
}
