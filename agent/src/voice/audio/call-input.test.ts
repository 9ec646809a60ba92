import { EventEmitter } from 'node:events';
import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web';
import { RoomEvent, TrackSource, type AudioFrame, type RemoteTrack } from '@livekit/rtc-node';
import { initializeLogger } from '@livekit/agents';
import { beforeAll, describe, expect, it } from 'vitest';
import { CallAudioInput, type CallAudioRoom } from './call-input.ts';

type FakePublication = { sid: string; source: TrackSource; track: RemoteTrack | undefined };
type FakeParticipant = { identity: string; trackPublications: Map<string, FakePublication> };

/** A track whose frames the test pushes, and whether the input let go of it. */
type Source = { push: (n: number) => void; cancelled: boolean; frameMs: number };

function fakeCall() {
  const emitter = new EventEmitter();
  const participants = new Map<string, FakeParticipant>();
  const sources = new Map<RemoteTrack, Source>();
  const room = {
    on: emitter.on.bind(emitter),
    off: emitter.off.bind(emitter),
    remoteParticipants: participants,
  } as unknown as CallAudioRoom;
  const openFrames = (track: RemoteTrack, frameMs: number) => {
    let controller!: ReadableStreamDefaultController<AudioFrame>;
    const source: Source = {
      push: (n) => controller.enqueue({ samplesPerChannel: n } as AudioFrame),
      cancelled: false,
      frameMs,
    };
    sources.set(track, source);
    return new ReadableStream<AudioFrame>({
      start: (c) => void (controller = c),
      cancel: () => void (source.cancelled = true),
    });
  };
  const participant = (identity: string): FakeParticipant => {
    const p = { identity, trackPublications: new Map<string, FakePublication>() };
    participants.set(identity, p);
    return p;
  };
  const publish = (p: FakeParticipant, sid: string, source = TrackSource.SOURCE_MICROPHONE) => {
    const track = { sid } as unknown as RemoteTrack;
    const publication = { sid, source, track };
    p.trackPublications.set(sid, publication);
    emitter.emit(RoomEvent.TrackSubscribed, track, publication, p);
    return track;
  };
  const unpublish = (p: FakeParticipant, sid: string) => {
    const publication = p.trackPublications.get(sid);
    p.trackPublications.delete(sid);
    emitter.emit(RoomEvent.TrackUnpublished, publication, p);
  };
  return { room, openFrames, sources, participant, publish, unpublish };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

async function nextFrameSize(input: CallAudioInput): Promise<number> {
  const reader = input.stream.getReader();
  try {
    const { value } = await reader.read();
    return value?.samplesPerChannel ?? -1;
  } finally {
    reader.releaseLock();
  }
}

describe('the caller audio input', () => {
  beforeAll(() => initializeLogger({ pretty: false, level: 'warn' }));

  it('carries the caller microphone in the configured frames and ignores other tracks', async () => {
    const call = fakeCall();
    const caller = call.participant('sip_caller');
    const input = new CallAudioInput(call.room, 'sip_caller', { openFrames: call.openFrames });
    call.publish(call.participant('agent_consult'), 'TR_other');
    call.publish(caller, 'TR_screen', TrackSource.SOURCE_SCREENSHARE_AUDIO);
    const mic = call.publish(caller, 'TR_mic');
    await settle();
    expect([...call.sources.keys()]).toEqual([mic]);
    expect(call.sources.get(mic)?.frameMs).toBe(40);
    call.sources.get(mic)?.push(640);
    expect(await nextFrameSize(input)).toBe(640);
    await input.close();
  });

  it('takes a microphone track the caller had published before the session started', async () => {
    const call = fakeCall();
    const caller = call.participant('sip_caller');
    const mic = call.publish(caller, 'TR_mic');
    const input = new CallAudioInput(call.room, 'sip_caller', { openFrames: call.openFrames });
    await settle();
    call.sources.get(mic)?.push(320);
    expect(await nextFrameSize(input)).toBe(320);
    await input.close();
  });

  it('lets go of an unpublished track and follows the next one', async () => {
    const call = fakeCall();
    const caller = call.participant('sip_caller');
    const input = new CallAudioInput(call.room, 'sip_caller', { openFrames: call.openFrames });
    const first = call.publish(caller, 'TR_a');
    await settle();
    call.unpublish(caller, 'TR_a');
    const second = call.publish(caller, 'TR_b');
    await settle();
    expect(call.sources.get(first)?.cancelled).toBe(true);
    call.sources.get(second)?.push(160);
    expect(await nextFrameSize(input)).toBe(160);
    await input.close();
    expect(call.sources.get(second)?.cancelled).toBe(true);
  });

  it('drops what the caller says while the session has the audio switched off', async () => {
    const call = fakeCall();
    const caller = call.participant('sip_caller');
    const input = new CallAudioInput(call.room, 'sip_caller', { openFrames: call.openFrames });
    const mic = call.publish(caller, 'TR_mic');
    await settle();
    input.setAttached(false);
    call.sources.get(mic)?.push(111);
    await settle();
    input.setAttached(true);
    call.sources.get(mic)?.push(222);
    expect(await nextFrameSize(input)).toBe(222);
    await input.close();
  });

  it('opens nothing once closed', async () => {
    const call = fakeCall();
    const caller = call.participant('sip_caller');
    const input = new CallAudioInput(call.room, 'sip_caller', { openFrames: call.openFrames });
    await input.close();
    call.publish(caller, 'TR_mic');
    await settle();
    expect(call.sources.size).toBe(0);
  });
});
