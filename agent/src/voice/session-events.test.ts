import { initializeLogger, voice } from '@livekit/agents';
import { beforeAll, describe, expect, it } from 'vitest';
import { stopSessionEventStream } from './session-events.ts';

/** A session transport that keeps what the framework sends, and never receives. */
class KeptTransport {
  readonly sent: string[] = [];
  closed = false;
  async start(): Promise<void> {}
  async sendMessage(msg: { message: { case?: string; value?: unknown } }): Promise<void> {
    const event = (msg.message.value as { event?: { case?: string } } | undefined)?.event;
    this.sent.push(event?.case ?? String(msg.message.case));
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<never> {}
}

const userSpeaking = (): voice.UserStateChangedEvent => ({
  type: 'user_state_changed',
  oldState: 'listening',
  newState: 'speaking',
  createdAt: Date.now(),
});

beforeAll(() => initializeLogger({ pretty: false, level: 'fatal' }));

describe('stopSessionEventStream', () => {
  it("stops the framework's host from sending the session's events, and closes its transport", async () => {
    const session = new voice.AgentSession({});
    const transport = new KeptTransport();
    const host = new voice.SessionHost(transport as unknown as voice.SessionTransport);
    host.registerSession(session);
    await host.start();
    (session as unknown as { sessionHost: unknown }).sessionHost = host;

    session.emit(voice.AgentSessionEventTypes.UserStateChanged, userSpeaking());
    await new Promise((r) => setTimeout(r, 10));
    expect(transport.sent).toEqual(['userStateChanged']);

    expect(await stopSessionEventStream(session)).toBe(true);
    session.emit(voice.AgentSessionEventTypes.UserStateChanged, userSpeaking());
    await new Promise((r) => setTimeout(r, 10));
    expect(transport.sent).toEqual(['userStateChanged']);
    expect(transport.closed).toBe(true);
    expect(await stopSessionEventStream(session)).toBe(false);
  });

  it('does nothing to a session without a host (not started in a room)', async () => {
    expect(await stopSessionEventStream(new voice.AgentSession({}))).toBe(false);
  });
});
