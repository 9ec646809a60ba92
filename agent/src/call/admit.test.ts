import { ParticipantKind } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { AdmissionError, admitCall, NoCallerError, waitForSipCaller } from './admit.ts';
import { CALLER_ATTRIBUTES, FakeRoom, fakeRouting, MAIN_JOB_METADATA } from './testing/fakes.ts';

const job = (metadata = MAIN_JOB_METADATA) => ({ id: 'AJ_1', metadata, roomName: 'call-main-x' });

describe('waitForSipCaller', () => {
  it('passes over a non-SIP participant and waits, yielding, for the SIP caller', async () => {
    const room = new FakeRoom();
    room.join('monitor', ParticipantKind.STANDARD);
    room.join('agent-2', ParticipantKind.AGENT);
    let found: string | undefined;
    const waiting = waitForSipCaller(room, new AbortController().signal).then(
      (p) => (found = p.identity),
    );
    // The event loop still turns (a spinning wait would never get here).
    await new Promise((r) => setImmediate(r));
    expect(found).toBeUndefined();
    room.join('sip_caller', ParticipantKind.SIP);
    await waiting;
    expect(found).toBe('sip_caller');
    expect(room.listening()).toBe(0);
  });

  it('gives up when the call ends first', async () => {
    const room = new FakeRoom();
    const abort = new AbortController();
    const waiting = waitForSipCaller(room, abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow(/before a SIP caller joined/);
    expect(room.listening()).toBe(0);
  });

  it('gives up when no SIP caller joins in time (one who hung up while it rang)', async () => {
    const room = new FakeRoom();
    room.join('agent-2', ParticipantKind.AGENT);
    const waiting = waitForSipCaller(room, new AbortController().signal, 20);
    await expect(waiting).rejects.toBeInstanceOf(NoCallerError);
    await expect(waiting).rejects.toThrow(/no SIP caller in the room within 20 ms/);
    expect(room.listening()).toBe(0);
  });
});

describe('admitCall', () => {
  it('reads route, persona and the caller context', async () => {
    const room = new FakeRoom();
    room.join('sip_caller', ParticipantKind.SIP, { ...CALLER_ATTRIBUTES });
    const a = await admitCall(job(), room, fakeRouting(), { signal: new AbortController().signal });
    expect([a.meta.route, a.persona.name, a.caller.identity]).toEqual([
      'main',
      'triage',
      'sip_caller',
    ]);
    expect(a.call.uui?.fields).toEqual({ account: '42' });
    expect(a.ids).toMatchObject({ jobId: 'AJ_1', sipCallId: 'SCL_fake0001', route: 'main' });
  });

  it.each([
    ['unreadable job metadata', 'not json', CALLER_ATTRIBUTES, undefined],
    ['a caller without SIP basics', MAIN_JOB_METADATA, { 'genesys.uui': 'x' }, 'main'],
  ])('fails with the caller and what it knows for %s', async (_, metadata, attributes, route) => {
    const room = new FakeRoom();
    room.join('sip_caller', ParticipantKind.SIP, { ...attributes });
    const err = await admitCall(job(metadata), room, fakeRouting(), {
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdmissionError);
    expect((err as AdmissionError).caller?.identity).toBe('sip_caller');
    expect((err as AdmissionError).route).toBe(route);
  });
});
