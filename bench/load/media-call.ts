/**
 * One caller's media: its UDP socket (the RTP port its SDP advertised), the
 * RTP it sends every 20 ms (speech, line silence, digits), what it hears of
 * the agent (a speech detector over the bridge's PCMU), and the
 * {@link CallerLine} its script talks through. The process's pacing loop
 * calls {@link MediaCall.tick} once per packet time.
 */
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SpokenPart } from './artifacts.ts';
import type { CallerLine } from './caller-behaviour.ts';
import type { CallMediaReport, PlannedCall } from './media-protocol.ts';
import {
  dtmfKeyPress,
  MULAW_SILENCE,
  mulawFrameRms,
  parseRtp,
  PCMU_PAYLOAD_TYPE,
  RtpStream,
  SAMPLES_PER_PACKET,
  TELEPHONE_EVENT_PAYLOAD_TYPE,
  type DtmfPacketPlan,
} from './rtp.ts';
import { SpeechDetector } from './vad.ts';

/** Rejects the caller's pending waits once its call is over. */
export class CallEnded extends Error {
  constructor(id: string) {
    super(`call ${id} ended`);
    this.name = 'CallEnded';
  }
}

type Source =
  | {
      kind: 'speech';
      clip: Uint8Array;
      offset: number;
      startMs: number;
      resolve: (p: SpokenPart) => void;
      reject: (err: Error) => void;
    }
  | {
      kind: 'digit';
      packets: readonly DtmfPacketPlan[];
      next: number;
      timestamp: number;
      atMs: number;
      resolve: (atMs: number) => void;
      reject: (err: Error) => void;
    };

type Waiter = {
  predicate: () => boolean;
  deadlineMs: number;
  resolve: (held: boolean) => void;
  reject: (err: Error) => void;
};

const SILENCE_FRAME = new Uint8Array(SAMPLES_PER_PACKET).fill(MULAW_SILENCE);

/** Hands a number to a 32-bit value for SSRC and initial RTP fields. */
const u32 = (random: () => number) => Math.floor(random() * 0xffffffff) >>> 0;

export class MediaCall {
  readonly plan: PlannedCall;
  readonly agent: SpeechDetector;
  readonly #socket: Socket;
  readonly #random: () => number;
  #remote: { address: string; port: number } | undefined;
  #callId = '';
  #stream: RtpStream | undefined;
  #source: Source | undefined;
  readonly #waiters = new Set<Waiter>();
  #ended = false;
  #referred = false;
  #answeredAtMs: number | undefined;
  #packetsSent = 0;
  #packetsReceived = 0;
  #maxSendLagMs = 0;
  #skippedPackets = 0;
  #firstSource: string | undefined;
  readonly #notes: string[] = [];

  private constructor(plan: PlannedCall, socket: Socket, voicedRms: number, random: () => number) {
    this.plan = plan;
    this.#socket = socket;
    this.#random = random;
    this.agent = new SpeechDetector({ voicedRms });
    socket.on('message', (msg, from) => this.#receive(msg, `${from.address}:${from.port}`));
  }

  /**
   * Binds the call's RTP port on loopback.
   *
   * @example
   * const call = await MediaCall.bind(plan, 300, seededRandom(plan.seed));
   */
  static async bind(
    plan: PlannedCall,
    voicedRms: number,
    random: () => number,
  ): Promise<MediaCall> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(plan.mediaPort, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => undefined);
    return new MediaCall(plan, socket, voicedRms, random);
  }

  get talking(): boolean {
    return this.#stream !== undefined && !this.#ended;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** True once sipp wrote the answer (bridge RTP address, Call-ID) into its directory. */
  answerWritten(): boolean {
    return existsSync(join(this.plan.dir, 'answered'));
  }

  /** Starts the stream toward the bridge's RTP address from the 200 OK's SDP. */
  answer(remote: { address: string; port: number }, callId: string, nowMs: number): void {
    this.#remote = remote;
    this.#callId = callId;
    this.#answeredAtMs = nowMs;
    this.#stream = new RtpStream(
      u32(this.#random) || 1,
      u32(this.#random) & 0xffff,
      u32(this.#random),
    );
  }

  /** Sends this packet time's packet, then wakes the script's waits that are due. */
  tick(nowMs: number, lagMs: number): void {
    if (!this.talking || !this.#stream || !this.#remote) return;
    const stream = this.#stream;
    let packet: Buffer;
    const source = this.#source;
    if (source?.kind === 'speech') {
      const frame = new Uint8Array(SAMPLES_PER_PACKET).fill(MULAW_SILENCE);
      frame.set(source.clip.subarray(source.offset, source.offset + SAMPLES_PER_PACKET));
      packet = stream.packet(PCMU_PAYLOAD_TYPE, frame, source.offset === 0);
      if (source.offset === 0) source.startMs = nowMs;
      source.offset += SAMPLES_PER_PACKET;
      if (source.offset >= source.clip.length) {
        this.#source = undefined;
        source.resolve({ startMs: source.startMs, endMs: nowMs });
      }
    } else if (source?.kind === 'digit') {
      if (source.next === 0) {
        source.timestamp = stream.timestamp;
        source.atMs = nowMs;
      }
      const plan = source.packets[source.next++];
      packet = stream.packet(
        TELEPHONE_EVENT_PAYLOAD_TYPE,
        plan?.payload ?? Buffer.alloc(4),
        plan?.marker ?? false,
        source.timestamp,
      );
      if (source.next >= source.packets.length) {
        this.#source = undefined;
        source.resolve(source.atMs);
      }
    } else {
      packet = stream.packet(PCMU_PAYLOAD_TYPE, SILENCE_FRAME);
    }
    stream.tick();
    this.#socket.send(packet, this.#remote.port, this.#remote.address);
    this.#packetsSent++;
    this.#maxSendLagMs = Math.max(this.#maxSendLagMs, lagMs);
    this.#wake(nowMs);
  }

  /** The process fell behind: `ticks` packet times pass unsent (the RTP clock still advances). */
  skip(ticks: number): void {
    if (!this.talking || !this.#stream) return;
    this.#stream.tick(ticks);
    this.#skippedPackets += ticks;
  }

  /** sipp has exited: stop sending, fail the script's waits, close the socket. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const w of this.#waiters) w.reject(new CallEnded(this.plan.id));
    this.#waiters.clear();
    this.#source?.reject(new CallEnded(this.plan.id));
    this.#source = undefined;
    this.#socket.close();
  }

  note(text: string): void {
    this.#notes.push(text);
  }

  /** The line the caller's script talks on. */
  line(): CallerLine {
    return {
      now: () => Date.now(),
      agent: this.agent,
      until: (predicate, timeoutMs) => this.#until(predicate, timeoutMs),
      sleep: async (ms) => {
        await this.#until(() => false, ms);
      },
      speak: (clip) =>
        new Promise<SpokenPart>((resolve, reject) => {
          if (this.#ended) return reject(new CallEnded(this.plan.id));
          this.#source = { kind: 'speech', clip, offset: 0, startMs: 0, resolve, reject };
        }),
      press: (key) =>
        new Promise<number>((resolve, reject) => {
          if (this.#ended) return reject(new CallEnded(this.plan.id));
          const packets = dtmfKeyPress(key);
          this.#source = {
            kind: 'digit',
            packets,
            next: 0,
            timestamp: 0,
            atMs: 0,
            resolve,
            reject,
          };
        }),
      referred: () => {
        this.#referred ||= existsSync(join(this.plan.dir, 'referred'));
        return this.#referred;
      },
      hangUp: () => this.#sendHangUp(),
    };
  }

  /** Media counters and notes; the script's record is merged in by the caller of this. */
  report(): CallMediaReport {
    return {
      utterances: [],
      digits: [],
      hungUp: false,
      notes: [...this.#notes],
      ...(this.#answeredAtMs === undefined ? {} : { answeredAtMs: this.#answeredAtMs }),
      packetsSent: this.#packetsSent,
      packetsReceived: this.#packetsReceived,
      maxSendLagMs: Math.round(this.#maxSendLagMs * 10) / 10,
      skippedPackets: this.#skippedPackets,
    };
  }

  #until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (this.#ended) return Promise.reject(new CallEnded(this.plan.id));
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      this.#waiters.add({ predicate, deadlineMs: Date.now() + timeoutMs, resolve, reject });
    });
  }

  #wake(nowMs: number): void {
    for (const w of [...this.#waiters]) {
      const held = w.predicate();
      if (held || nowMs >= w.deadlineMs) {
        this.#waiters.delete(w);
        w.resolve(held);
      }
    }
  }

  #receive(msg: Buffer, from: string): void {
    this.#packetsReceived++;
    if (this.#firstSource === undefined) {
      this.#firstSource = from;
      const expected = this.#remote && `${this.#remote.address}:${this.#remote.port}`;
      if (expected && expected !== from)
        this.note(`bridge RTP comes from ${from}, SDP said ${expected}`);
    }
    const rtp = parseRtp(msg);
    if (rtp?.payloadType === PCMU_PAYLOAD_TYPE)
      this.agent.frame(Date.now(), mulawFrameRms(rtp.payload));
  }

  /**
   * Asks sipp to hang up: an extension request on its SIP port naming the
   * call's Call-ID, sent from the media port so a capture of caller<->bridge
   * traffic never sees it (see bench/sipp/bench-caller.xml).
   */
  #sendHangUp(): void {
    if (this.#ended) return;
    const sipPort = this.plan.sipPort;
    const request = [
      `BENCH-HANGUP sip:genesys@127.0.0.1:${sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.plan.mediaPort};branch=z9hG4bK-bench-hangup-${this.plan.id}`,
      `From: <sip:bench-media@127.0.0.1>;tag=bench-media`,
      `To: <sip:genesys@127.0.0.1:${sipPort}>`,
      `Call-ID: ${this.#callId}`,
      `CSeq: 1 BENCH-HANGUP`,
      `Content-Length: 0`,
      '',
      '',
    ].join('\r\n');
    this.#socket.send(request, sipPort, '127.0.0.1');
  }
}
