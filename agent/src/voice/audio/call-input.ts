/**
 * The caller's audio into the AgentSession: the SIP participant's microphone
 * track, decoded and resampled natively to the call's rate and delivered in
 * frames of {@link CALL_AUDIO_FRAME_MS}.
 *
 * It stands in for the framework's room input, which always takes the
 * native 10 ms frames. Each frame is one FFI event (a protobuf decode and a
 * buffer copy) and one pass through every web stream between the room and
 * the VAD and recognizer; at 40 ms that per-frame work happens a quarter as
 * often. Measured with `make bench`, 4 callers, 2026-12-02: 22 to 24% of a
 * core per talking call against 27 to 32% with 10 ms frames.
 */
import {
  AudioStream,
  RoomEvent,
  TrackSource,
  type AudioFrame,
  type RemoteParticipant,
  type RemoteTrack,
  type RemoteTrackPublication,
  type Room,
  type TrackPublication,
} from '@livekit/rtc-node';
import { voice } from '@livekit/agents';
import { TransformStream } from 'node:stream/web';
import { CALL_AUDIO_FRAME_MS, CALL_AUDIO_SAMPLE_RATE } from './rates.ts';

type OpenInput = Readonly<{ id: string; sid: string; stream: ReadableStream<AudioFrame> }>;

/** The part of the room the input listens to. */
export type CallAudioRoom = Pick<Room, 'on' | 'off' | 'remoteParticipants'>;

export type CallAudioOptions = Readonly<{
  frameMs?: number;
  /** Opens a track's frames; the native AudioStream unless a test says otherwise. */
  openFrames?: (track: RemoteTrack, frameMs: number) => ReadableStream<AudioFrame>;
}>;

const nativeFrames = (track: RemoteTrack, frameMs: number): ReadableStream<AudioFrame> =>
  new AudioStream(track, {
    sampleRate: CALL_AUDIO_SAMPLE_RATE,
    numChannels: 1,
    frameSizeMs: frameMs,
  });

/**
 * One caller's audio, following the caller's microphone track as it is
 * subscribed, unpublished or replaced. Set it as the session's audio input
 * before `session.start`, and the room input leaves audio to it.
 *
 * @example
 * session.input.audio = new CallAudioInput(ctx.room, callerIdentity);
 * await session.start({ agent, room: ctx.room, inputOptions: { participantIdentity: callerIdentity } });
 */
export class CallAudioInput extends voice.AudioInput {
  readonly #room: CallAudioRoom;
  readonly #identity: string;
  readonly #frameMs: number;
  readonly #openFrames: NonNullable<CallAudioOptions['openFrames']>;
  #input: OpenInput | undefined;
  #switching: Promise<void> = Promise.resolve();
  #attached = true;
  #closed = false;

  constructor(room: CallAudioRoom, callerIdentity: string, options: CallAudioOptions = {}) {
    super();
    this.#room = room;
    this.#identity = callerIdentity;
    this.#frameMs = options.frameMs ?? CALL_AUDIO_FRAME_MS;
    this.#openFrames = options.openFrames ?? nativeFrames;
    room.on(RoomEvent.TrackSubscribed, this.#onSubscribed);
    room.on(RoomEvent.TrackUnsubscribed, this.#onGone);
    room.on(RoomEvent.TrackUnpublished, this.#onUnpublished);
    const caller = room.remoteParticipants.get(callerIdentity);
    for (const publication of caller?.trackPublications.values() ?? []) {
      if (publication.track && this.#onSubscribed(publication.track, publication, caller!)) break;
    }
  }

  override setAttached(attached: boolean): void {
    this.#attached = attached;
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#room.off(RoomEvent.TrackSubscribed, this.#onSubscribed);
    this.#room.off(RoomEvent.TrackUnsubscribed, this.#onGone);
    this.#room.off(RoomEvent.TrackUnpublished, this.#onUnpublished);
    await this.#switch(undefined);
    await super.close();
  }

  readonly #onSubscribed = (
    track: RemoteTrack,
    publication: RemoteTrackPublication,
    participant: RemoteParticipant,
  ): boolean => {
    if (
      this.#closed ||
      participant.identity !== this.#identity ||
      publication.source !== TrackSource.SOURCE_MICROPHONE ||
      this.#input?.sid === publication.sid
    )
      return false;
    void this.#switch({ track, sid: publication.sid ?? '' });
    return true;
  };

  readonly #onGone = (
    _track: RemoteTrack,
    publication: RemoteTrackPublication,
    participant: RemoteParticipant,
  ): void => this.#onUnpublished(publication, participant);

  readonly #onUnpublished = (
    publication: TrackPublication,
    participant: RemoteParticipant,
  ): void => {
    if (participant.identity !== this.#identity || this.#input?.sid !== publication.sid) return;
    void this.#switch(undefined);
    // A second microphone track of the caller's, if any, takes over.
    for (const other of participant.trackPublications.values()) {
      if (
        other.sid !== publication.sid &&
        other.track &&
        this.#onSubscribed(other.track, other, participant)
      )
        return;
    }
  };

  /** Closes the open stream, then opens the next one; switches run one after another. */
  #switch(next: Readonly<{ track: RemoteTrack; sid: string }> | undefined): Promise<void> {
    this.#switching = this.#switching.then(async () => {
      const open = this.#input;
      this.#input = undefined;
      if (open) {
        await this.multiStream.removeInputStream(open.id).catch(() => undefined);
        await open.stream.cancel().catch(() => undefined);
      }
      if (next && !this.#closed) this.#input = this.#open(next.track, next.sid);
    });
    return this.#switching;
  }

  #open(track: RemoteTrack, sid: string): OpenInput {
    const frames = this.#openFrames(track, this.#frameMs);
    // Frames heard while the session's audio is switched off are dropped, not queued.
    const gated = frames.pipeThrough(
      new TransformStream<AudioFrame, AudioFrame>({
        transform: (frame, out) => {
          if (this.#attached) out.enqueue(frame);
        },
      }),
    );
    return { id: this.multiStream.addInputStream(gated), sid, stream: gated };
  }
}
