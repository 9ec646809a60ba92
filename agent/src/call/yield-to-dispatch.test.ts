import { ParticipantKind } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import {
  ANSWERER_ATTRIBUTE,
  ANSWERER_COMMITTED,
  answererIdentity,
} from '../../../contracts/hand-on.ts';
import { FakeRoom } from './testing/fakes.ts';
import { dispatchHasCall } from './yield-to-dispatch.ts';

const ANSWERER = answererIdentity('call-main-_4321_fake');
const signal = () => new AbortController().signal;

describe('a late agent and dispatch handing the caller on', () => {
  it('takes the call when dispatch is not in the room', async () => {
    const room = new FakeRoom();
    room.join('sip_caller', ParticipantKind.SIP);
    expect(await dispatchHasCall(room, signal())).toBe(false);
  });

  it('leaves the call to dispatch once dispatch has committed, before or after the agent joined', async () => {
    const before = new FakeRoom();
    before.join(ANSWERER, ParticipantKind.STANDARD, { [ANSWERER_ATTRIBUTE]: ANSWERER_COMMITTED });
    expect(await dispatchHasCall(before, signal())).toBe(true);

    const after = new FakeRoom();
    after.join(ANSWERER, ParticipantKind.STANDARD);
    const decided = dispatchHasCall(after, signal());
    after.update(ANSWERER, { [ANSWERER_ATTRIBUTE]: ANSWERER_COMMITTED });
    expect(await decided).toBe(true);
    expect(after.listening()).toBe(0);
  });

  it('takes the call when dispatch backs off, never decides, or the call ends first', async () => {
    const backedOff = new FakeRoom();
    backedOff.join(ANSWERER, ParticipantKind.STANDARD);
    const decided = dispatchHasCall(backedOff, signal());
    backedOff.update('someone-else', { [ANSWERER_ATTRIBUTE]: ANSWERER_COMMITTED });
    backedOff.leave(ANSWERER);
    expect(await decided).toBe(false);

    const silent = new FakeRoom();
    silent.join(ANSWERER, ParticipantKind.STANDARD);
    expect(await dispatchHasCall(silent, signal(), 20)).toBe(false);

    const ended = new FakeRoom();
    ended.join(ANSWERER, ParticipantKind.STANDARD);
    const aborted = new AbortController();
    const pending = dispatchHasCall(ended, aborted.signal);
    aborted.abort();
    expect(await pending).toBe(false);
    for (const room of [backedOff, silent, ended]) expect(room.listening()).toBe(0);
  });
});
