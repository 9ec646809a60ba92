/**
 * Places one simulated Genesys Cloud call into a running stack and reports
 * what the Genesys side saw: the audio it heard, the REFER it received, the
 * teardown. Shared by the real-stack tests and `make demo`.
 */
import { join } from 'node:path';
import { audioStats, synthesizeCallerSpeech, type AudioStats, type SpeechEngine } from './audio.ts';
import { pcmuAudio, startRtpCapture, type RtpPacket } from './rtp-capture.ts';
import { header, runSipp, SIPP_DTMF_DIR, type SipMessage, type SippResult } from './sipp.ts';
import type { Stack } from './stack.ts';

export type GenesysCall = Readonly<{
  scenario: string;
  /** Called number: picks the route. */
  dnis: string;
  ani: string;
  conversationId: string;
  /** Caller UUI text (sent hex-encoded in User-to-User). */
  uui: string;
  customerTier: string;
  /** What the caller says after listening to the greeting. */
  speech: string;
  /** Synthetic caller voice (flite's kal16 is what the offline recognizer hears best). */
  speechEngine: SpeechEngine;
  /** Silence the line carries after the caller speaks (0 when a digit follows). */
  trailingSilenceSeconds: number;
  /** Digit pressed after speaking (sipp's RFC 2833 pcap). */
  digit: '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'pound' | 'star';
  /** A ready WAV (8 kHz mu-law) the caller plays instead of synthesized speech. */
  audioFile?: string;
  /** sipfrag status line Genesys reports in its NOTIFY. */
  notify: string;
}>;

export const defaultGenesysCall: GenesysCall = Object.freeze({
  scenario: 'genesys-inbound-refer.xml',
  dnis: '+18005550100',
  ani: '+15551234567',
  conversationId: '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  uui: 'account=12345;intent=billing',
  customerTier: 'gold',
  speech: 'Hello, I have a question about my bill.',
  speechEngine: 'espeak-ng',
  trailingSilenceSeconds: 0,
  digit: '0',
  notify: '200 OK',
});

export type ReferSeen = Readonly<{
  message: SipMessage;
  /** Refer-To URI without the embedded headers. */
  target: string;
  /** The raw User-to-User value embedded in the URI, if any. */
  uui: string | undefined;
  /** Decoded UUI key/value fields, after Genesys drops the first octet. */
  uuiFields: Readonly<Record<string, string>>;
  /** The first octet of hex UUI, which Genesys treats as the protocol discriminator. */
  protocolDiscriminator: number | undefined;
}>;

export type GenesysCallReport = Readonly<{
  sipp: SippResult;
  rtp: readonly RtpPacket[];
  /** What the caller heard from the bridge. */
  heard: AudioStats;
  /** What the caller sent. */
  said: AudioStats;
  digitsSent: boolean;
  refer: ReferSeen | undefined;
  byeReceived: boolean;
}>;

export async function placeGenesysCall(
  stack: Stack,
  call: GenesysCall = defaultGenesysCall,
): Promise<GenesysCallReport> {
  let speechFile = join(stack.runDir, 'caller-speech.wav');
  if (call.audioFile) speechFile = call.audioFile;
  else {
    synthesizeCallerSpeech(call.speech, speechFile, call.speechEngine, {
      trailingSilenceSeconds: call.trailingSilenceSeconds,
    });
  }
  const capture = await startRtpCapture(
    stack.ports.genesysMedia,
    join(stack.runDir, 'genesys-media.pcap'),
  );
  let sipp: SippResult;
  let rtp: RtpPacket[];
  try {
    sipp = await runSipp({
      scenario: call.scenario,
      workDir: join(stack.runDir, 'sipp'),
      target: `127.0.0.1:${stack.ports.sip}`,
      service: call.dnis,
      localPort: stack.ports.genesysSip,
      mediaPort: stack.ports.genesysMedia,
      files: {
        'caller-speech.wav': speechFile,
        'caller-dtmf.pcap': join(SIPP_DTMF_DIR, `dtmf_2833_${call.digit}.pcap`),
      },
      keys: {
        ani: call.ani,
        cnv: call.conversationId,
        // Genesys puts the protocol discriminator (04, IA5 text) in front of hex UUI.
        uui: `04${Buffer.from(call.uui, 'latin1').toString('hex')}`,
        xtier: call.customerTier,
        notify: call.notify,
      },
    });
  } finally {
    rtp = await capture.stop();
  }
  const toCaller = rtp.filter((p) => p.dstPort === stack.ports.genesysMedia);
  const fromCaller = rtp.filter((p) => p.srcPort === stack.ports.genesysMedia);
  const referMsg = sipp.messages.find((m) => m.direction === 'received' && m.method === 'REFER');
  return {
    sipp,
    rtp,
    heard: audioStats(pcmuAudio(toCaller)),
    said: audioStats(pcmuAudio(fromCaller)),
    digitsSent: fromCaller.some((p) => p.payloadType === 101),
    refer: referMsg && parseRefer(referMsg),
    byeReceived: sipp.messages.some((m) => m.direction === 'received' && m.method === 'BYE'),
  };
}

/** Reads a REFER the way Genesys does: target URI, embedded User-to-User, its fields. */
export function parseRefer(message: SipMessage): ReferSeen {
  const referTo = header(message, 'Refer-To') ?? '';
  const uri = /<([^>]+)>/.exec(referTo)?.[1] ?? referTo.trim();
  const [target = '', query = ''] = uri.split('?');
  const uui = new URLSearchParams(query).get('User-to-User') ?? undefined;
  const fields: Record<string, string> = {};
  let protocolDiscriminator: number | undefined;
  if (uui) {
    const [data = '', ...params] = uui.split(';');
    const hex = params.some((p) => p.trim().toLowerCase() === 'encoding=hex');
    const bytes = hex ? Buffer.from(data, 'hex') : Buffer.from(data, 'latin1');
    // Like Genesys: the first octet of hex User-to-User is the protocol discriminator.
    protocolDiscriminator = hex ? bytes[0] : undefined;
    const text = (hex ? bytes.subarray(1) : bytes).toString('latin1');
    for (const kv of text.split(';')) {
      const eq = kv.indexOf('=');
      if (eq > 0) fields[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
  }
  return { message, target, uui, uuiFields: fields, protocolDiscriminator };
}
