import type { EventEmitter } from 'node:events';
import {
  APIConnectionError,
  DEFAULT_API_CONNECT_OPTIONS,
  initializeLogger,
  llm,
  type APIConnectOptions,
} from '@livekit/agents';
import { beforeAll, describe, expect, it } from 'vitest';
import { llmWithFallback } from './fallback.ts';
import { StallWatchdogLLM } from './llm-watchdog.ts';

/** What a {@link ScriptedLLM} stream does: answers in three chunks, sends nothing, or one chunk and then nothing. */
type Behaviour = 'answers' | 'silent' | 'stops';

class ScriptedLLM extends llm.LLM {
  readonly behaviour: Behaviour;
  readonly #label: string;
  chats = 0;

  constructor(behaviour: Behaviour, label = 'scripted.LLM') {
    super();
    this.behaviour = behaviour;
    this.#label = label;
  }

  label(): string {
    return this.#label;
  }

  chat(args: Parameters<llm.LLM['chat']>[0]): llm.LLMStream {
    this.chats++;
    return new ScriptedStream(this, args.chatCtx, args.connOptions ?? DEFAULT_API_CONNECT_OPTIONS);
  }
}

class ScriptedStream extends llm.LLMStream {
  readonly #owner: ScriptedLLM;

  constructor(owner: ScriptedLLM, chatCtx: llm.ChatContext, connOptions: APIConnectOptions) {
    super(owner, { chatCtx, connOptions });
    this.#owner = owner;
  }

  protected async run(): Promise<void> {
    const hang = () =>
      new Promise<void>((resolve) =>
        this.abortController.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    const say = (content: string) =>
      this.queue.put({ id: 'c', delta: { role: 'assistant', content } });
    if (this.#owner.behaviour === 'silent') return hang();
    say(`${this.#owner.label()} says hello`);
    if (this.#owner.behaviour === 'stops') return hang();
    await new Promise((r) => setTimeout(r, 30));
    say(', and');
    say(' goodbye.');
  }
}

type Reply = { text: string; error: unknown };

async function reply(brain: llm.LLM): Promise<Reply> {
  const stream = brain.chat({ chatCtx: new llm.ChatContext() });
  const out: Reply = { text: '', error: undefined };
  try {
    for await (const chunk of stream) out.text += chunk.delta?.content ?? '';
  } catch (err) {
    out.error = err;
  }
  return out;
}

function errorsOf(brain: llm.LLM): unknown[] {
  const errors: unknown[] = [];
  brain.on('error', (ev) => errors.push(ev.error));
  return errors;
}

beforeAll(() => initializeLogger({ pretty: false, level: 'silent' }));

describe('StallWatchdogLLM', () => {
  const stallS = 0.3;

  it('passes a healthy reply through whole', async () => {
    const watched = new StallWatchdogLLM(new ScriptedLLM('answers'), { stallS });
    const errors = errorsOf(watched);
    expect(await reply(watched)).toEqual({
      text: 'scripted.LLM says hello, and goodbye.',
      error: undefined,
    });
    expect(errors).toEqual([]);
    expect(watched.label()).toBe('scripted.LLM');
  });

  it('fails a request that never gets its first token, once the stall time has passed', async () => {
    const watched = new StallWatchdogLLM(new ScriptedLLM('silent'), { stallS });
    const errors = errorsOf(watched);
    const started = Date.now();
    const got = await reply(watched);
    const tookMs = Date.now() - started;
    expect(got.text).toBe('');
    expect(errors).toEqual([expect.any(APIConnectionError)]);
    expect(tookMs).toBeGreaterThanOrEqual(stallS * 1000);
    expect(tookMs).toBeLessThan(stallS * 1000 + 2000);
  });

  it('fails a reply whose tokens stop midway', async () => {
    const watched = new StallWatchdogLLM(new ScriptedLLM('stops'), { stallS });
    const errors = errorsOf(watched);
    const got = await reply(watched);
    expect(got.text).toBe('scripted.LLM says hello');
    expect(errors).toEqual([expect.any(APIConnectionError)]);
  });

  it('lets the FallbackAdapter answer with the next LLM when the first never starts', async () => {
    const primary = new StallWatchdogLLM(new ScriptedLLM('silent', 'primary'), { stallS });
    const backup = new ScriptedLLM('answers', 'backup');
    const adapter = llmWithFallback(primary, backup);
    const changes: { llm: string; available: boolean }[] = [];
    // The adapter emits this event without declaring it in its typed events.
    (adapter as unknown as EventEmitter).on(
      'llm_availability_changed',
      (ev: llm.AvailabilityChangedEvent) =>
        changes.push({ llm: ev.llm.label(), available: ev.available }),
    );
    errorsOf(adapter);
    const got = await reply(adapter);
    expect(got.text).toBe('backup says hello, and goodbye.');
    expect(changes).toContainEqual({ llm: 'primary', available: false });
    await adapter.aclose();
  });
});
