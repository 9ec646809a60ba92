import { RemoteParticipant, Room, RoomEvent } from '@livekit/rtc-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeypadRequest } from '../personas/runtime.ts';
import { createCallKeypad } from './keypad.ts';

const PIN: KeypadRequest = {
  purpose: 'pin',
  prompt: 'Type your PIN.',
  retryPrompt: 'Sorry, type your PIN again.',
  spec: {
    minDigits: 4,
    maxDigits: 4,
    interDigitTimeoutMs: 3_000,
    overallTimeoutMs: 10_000,
    maxAttempts: 2,
  },
};

/** See room-dtmf.test.ts: a real offline participant, its protobuf info as a plain object. */
function participant(identity: string): RemoteParticipant {
  const owned = { handle: { id: 0n }, info: { identity, sid: `PA_${identity}` } };
  return new RemoteParticipant(
    owned as unknown as ConstructorParameters<typeof RemoteParticipant>[0],
  );
}

function press(room: Room, from: RemoteParticipant, keys: string) {
  for (const k of keys) room.emit(RoomEvent.DtmfReceived, k.charCodeAt(0), k, from);
}

function setup() {
  const room = new Room();
  const caller = participant('sip_+15550001111');
  const said: string[] = [];
  const logged: { fields: object; msg: string }[] = [];
  const record = (fields: object, msg: string) => void logged.push({ fields, msg });
  const keypad = createCallKeypad({
    room,
    callerIdentity: caller.identity,
    say: (text) => void said.push(text),
    log: { info: record, warn: record, error: record },
  });
  return { room, caller, said, logged, keypad };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('call keypad', () => {
  it('says the prompt, collects the caller’s digits and is active only meanwhile', async () => {
    const { room, caller, said, keypad } = setup();
    expect(keypad.active()).toBe(false);
    const entry = keypad.collect(PIN);
    expect(keypad.active()).toBe(true);
    expect(said).toEqual(['Type your PIN.']);

    press(room, caller, '2468');
    const result = await entry;
    expect(result).toEqual({ status: 'collected', value: '2468', masked: '••••' });
    expect(keypad.active()).toBe(false);
    expect(room.listenerCount(RoomEvent.DtmfReceived)).toBe(0);
  });

  it('accepts keys typed while the prompt is still playing (type-ahead)', async () => {
    const { room, caller, keypad } = setup();
    const entry = keypad.collect(PIN);
    press(room, caller, '24');
    press(room, caller, '68');
    expect((await entry).status).toBe('collected');
  });

  it('re-prompts with the retry prompt after a timeout, then gives up', async () => {
    vi.useFakeTimers();
    const { said, keypad } = setup();
    const entry = keypad.collect(PIN);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(said).toEqual(['Type your PIN.', 'Sorry, type your PIN again.']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await entry).toEqual({ status: 'gave_up', attempts: 2 });
    expect(keypad.active()).toBe(false);
  });

  it('logs the purpose and the masked digits, never the digits', async () => {
    const { room, caller, logged, keypad } = setup();
    const entry = keypad.collect(PIN);
    press(room, caller, '2468');
    await entry;
    expect(logged).toEqual([
      {
        fields: { purpose: 'pin', status: 'collected', digits: '••••' },
        msg: 'keypad entry finished',
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain('2468');
  });

  it('refuses a second entry while one is under way, without disturbing it', async () => {
    const { room, caller, keypad } = setup();
    const first = keypad.collect(PIN);
    expect(await keypad.collect(PIN)).toEqual({ status: 'gave_up', attempts: 0 });
    expect(keypad.active()).toBe(true);
    press(room, caller, '1357');
    expect((await first).status).toBe('collected');
  });

  it('takes keys the caller says instead of typing, finishing the entry', async () => {
    const { keypad } = setup();
    expect(keypad.hear('two oh four oh')).toBe(false); // no entry under way
    const entry = keypad.collect({ ...PIN, spec: { ...PIN.spec, minDigits: 3, maxDigits: 6 } });
    expect(keypad.hear('I need to find it')).toBe(false);
    expect(keypad.hear('two oh four oh')).toBe(true);
    expect(await entry).toEqual({ status: 'collected', value: '2040', masked: '••••' });
  });
});
