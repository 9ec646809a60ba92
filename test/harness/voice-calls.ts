/**
 * What the voice tests build and read around a call: the caller's two
 * utterances as one WAV, a routing file edited from the shipped one, the
 * agent environment for OpenAI-compatible servers, and what the caller
 * heard on the wire.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { CloudFakes } from '../fakes/cloud.ts';
import { audioStats, generatePhoneAudio, synthesizeCallerSpeech } from './audio.ts';
import type { GenesysCallReport } from './genesys-call.ts';
import { pcmuAudio } from './rtp-capture.ts';
import type { Stack } from './stack.ts';
import { REPO_ROOT } from './tools.ts';

/** A caller WAV and how long its first utterance lasts. */
export type CallerTurns = Readonly<{ file: string; firstSeconds: number }>;

/**
 * Two caller utterances (flite kal16, through G.711) with a gap, then 12 s
 * of silence, as one WAV.
 *
 * @example
 * const turns = callerTurns(dir, 'call1', 'I have a question.', 'Can I talk to a person?', 9);
 */
export function callerTurns(
  dir: string,
  name: string,
  first: string,
  second: string,
  gapSeconds: number,
): CallerTurns {
  const a = join(dir, `${name}-1.wav`);
  const gap = join(dir, `${name}-gap.wav`);
  const b = join(dir, `${name}-2.wav`);
  const file = join(dir, `${name}.wav`);
  synthesizeCallerSpeech(first, a, 'flite');
  generatePhoneAudio(gap, ['trim', '0', String(gapSeconds)]);
  synthesizeCallerSpeech(second, b, 'flite', { trailingSilenceSeconds: 12 });
  execFileSync('sox', [a, gap, b, file]);
  const firstSeconds = Number(execFileSync('soxi', ['-D', a], { encoding: 'utf8' }).trim());
  return { file, firstSeconds };
}

type Routing = { routes: Record<string, unknown>[] };

/**
 * The shipped routing file (livekit-config/routing.yaml) as `edit` changes
 * it, written into `dir`; returns its path.
 *
 * @example
 * routingFileWith(dir, 'failover', (r) => r.routes.forEach((route) => (route['handoff'] = OFFLINE_FAILOVER)));
 */
export function routingFileWith(
  dir: string,
  name: string,
  edit: (routing: Routing) => void,
): string {
  const routing = parseYaml(
    readFileSync(join(REPO_ROOT, 'livekit-config/routing.yaml'), 'utf8'),
  ) as Routing;
  edit(routing);
  const file = join(dir, `routing-${name}.yaml`);
  writeFileSync(file, toYaml(routing));
  return file;
}

/** A route's handoff override: carry on with the offline voice when a provider fails. */
export const OFFLINE_FAILOVER = Object.freeze({ providerFailure: { then: 'offline_voice' } });

/**
 * The agent's environment with every piece on the FAKE OpenAI: the LLM (with
 * its key), STT and TTS over the audio API with none, as a self-hosted
 * server takes them.
 */
export function openAiCompatibleEnv(fakes: CloudFakes): Record<string, string> {
  const url = fakes.openai.url;
  return {
    VOICE_MODE: 'cloud',
    OPENAI_API_KEY: fakes.agentEnv['OPENAI_API_KEY'] ?? '',
    OPENAI_BASE_URL: url,
    OPENAI_MODEL: fakes.agentEnv['OPENAI_MODEL'] ?? '',
    OPENAI_STT_BASE_URL: url,
    OPENAI_STT_MODEL: 'fake-whisper-small.en',
    OPENAI_TTS_BASE_URL: url,
    OPENAI_TTS_MODEL: 'fake-kokoro',
    OPENAI_TTS_VOICE: 'fake_heart',
  };
}

/** Voiced audio the caller heard between two wire times (epoch seconds). */
export function heardBetween(
  stack: Stack,
  call: GenesysCallReport,
  from: number,
  to: number,
): number {
  const packets = call.rtp.filter(
    (p) => p.dstPort === stack.ports.genesysMedia && p.time > from && p.time < to,
  );
  return audioStats(pcmuAudio(packets)).voicedMs;
}

/** When the caller's audio started on the wire (sipp sends RTP only while it plays). */
export function callerStart(stack: Stack, call: GenesysCallReport): number {
  const first = call.rtp.find((p) => p.srcPort === stack.ports.genesysMedia);
  if (!first) throw new Error('the caller sent no RTP');
  return first.time;
}
