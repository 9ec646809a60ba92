/**
 * The FAKE OpenAI's chat completion bodies: server-sent event chunks as the
 * real API streams them (role, content or tool-call deltas, the finish
 * reason, the usage chunk, `[DONE]`), or one `chat.completion` object.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { pause, type LatencyProfile } from './latency.ts';
import type { ScriptedReply } from './openai-replies.ts';

export type Completion = Readonly<{ id: string; created: number; model: string }>;

/** The streamed pieces of a reply: words of the text, or pieces of the tool arguments. */
export function tokens(reply: ScriptedReply): string[] {
  if (reply.kind === 'text') return reply.text.split(/(?=\s)/);
  const a = reply.arguments;
  const third = Math.ceil(a.length / 3);
  return [a.slice(0, third), a.slice(third, 2 * third), a.slice(2 * third)].filter((p) => p !== '');
}

/**
 * Streams `reply` as server-sent events, paced by the profile.
 *
 * @example
 * await streamReply(res, completion, reply, true, profile, abort.signal);
 */
export async function streamReply(
  res: ServerResponse,
  completion: Completion,
  reply: ScriptedReply,
  includeUsage: boolean,
  profile: LatencyProfile,
  signal: AbortSignal,
): Promise<void> {
  const chunk = (choices: unknown[], usage: unknown = null) =>
    res.write(
      `data: ${JSON.stringify({
        ...completion,
        object: 'chat.completion.chunk',
        system_fingerprint: 'fp_fake',
        choices,
        ...(includeUsage ? { usage } : {}),
      })}\n\n`,
    );
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  await pause(profile.llmFirstTokenMs, signal);
  const pieces = tokens(reply);
  if (reply.kind === 'tool') {
    delta({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          index: 0,
          id: `call_fake_${randomUUID().slice(0, 8)}`,
          type: 'function',
          function: { name: reply.name, arguments: '' },
        },
      ],
    });
  } else delta({ role: 'assistant', content: '', refusal: null });
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) await pause(profile.llmTokenMs, signal);
    if (reply.kind === 'tool')
      delta({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
    else delta({ content: piece });
  }
  delta({}, reply.kind === 'tool' ? 'tool_calls' : 'stop');
  if (includeUsage) chunk([], usageOf(pieces.length));
  res.end('data: [DONE]\n\n');
}

/**
 * `reply` as one non-streamed `chat.completion`.
 *
 * @example
 * json(res, 200, wholeReply(completion, reply));
 */
export function wholeReply(completion: Completion, reply: ScriptedReply): Record<string, unknown> {
  const message =
    reply.kind === 'text'
      ? { role: 'assistant', content: reply.text, refusal: null }
      : {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: `call_fake_${randomUUID().slice(0, 8)}`,
              type: 'function',
              function: { name: reply.name, arguments: reply.arguments },
            },
          ],
        };
  return {
    ...completion,
    object: 'chat.completion',
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: reply.kind === 'tool' ? 'tool_calls' : 'stop',
      },
    ],
    usage: usageOf(tokens(reply).length),
  };
}

function usageOf(completionTokens: number) {
  return {
    prompt_tokens: 100,
    completion_tokens: completionTokens,
    total_tokens: 100 + completionTokens,
  };
}
