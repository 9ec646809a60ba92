/**
 * What dispatch stored and counted, read through its HTTP API as an operator
 * would: the call records of a Genesys conversation, and its metrics text.
 */
import type { Stack } from './stack.ts';

/**
 * The call records of one Genesys conversation, once there is at least one
 * (dispatch writes some from LiveKit's webhooks, shortly after the call).
 *
 * @example
 * const [record] = await callRecordsOf(stack, cnv);
 */
export async function callRecordsOf(
  stack: Stack,
  conversationId: string,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(
      `http://127.0.0.1:${stack.ports.dispatch}/v1/calls?genesysConversationId=${encodeURIComponent(conversationId)}`,
      { headers: { authorization: `Bearer ${stack.dispatchToken}` } },
    );
    const { calls } = (await res.json()) as { calls: Record<string, unknown>[] };
    if (calls.length > 0) return calls;
    if (Date.now() > deadline) throw new Error(`no call record of ${conversationId} in dispatch`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Dispatch's Prometheus metrics text. */
export async function dispatchMetrics(stack: Stack): Promise<string> {
  return (await fetch(`http://127.0.0.1:${stack.ports.dispatch}/metrics`)).text();
}
