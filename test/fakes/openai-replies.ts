/**
 * What the FAKE OpenAI answers: a scripted conversation, not a model. A
 * caller asking for a person, or naming one of the transfer tool's
 * destinations ("my bill" for a `billing` queue), gets a call to the
 * request's transfer tool; a caller asking about one of the scripted
 * out-of-scope topics (the weather, the lottery) gets a call to the
 * request's escalation tool; anything else gets a short spoken reply. Tool
 * arguments are made valid for the tool's JSON schema.
 */
import { z } from 'zod';

/** The caller asks for a human. */
export const PERSON_REQUEST = /\b(person|human|agent|representative|someone|somebody)\b/i;
/** A tool that hands the caller to a human. */
export const TRANSFER_TOOL = /transfer|escalat|human|queue/i;
/** Scripted topics no persona handles: the fake escalates them, as the persona instructions ask. */
export const OUT_OF_SCOPE = /\b(weather|lottery)\b/i;
/** A tool that hands an out-of-scope request to a human (every persona's `escalate_to_human`). */
const ESCALATION_TOOL = /escalat/i;
/** Enum values that name the catch-all destination, chosen when the caller names none. */
const GENERAL_VALUE = /general|default|other|main|human|person|agent|customer/i;

export const REPLIES = Object.freeze({
  greeting: 'Hello, thank you for calling. How can I help you today?',
  turn: 'Sure. I can help with that. Could you tell me a little more?',
  afterTool: 'Thank you. I am connecting you now.',
  toolSummary: 'caller asked for a person',
});

const content = z.union([
  z.string(),
  z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()),
  z.null(),
]);

export const chatMessage = z.object({ role: z.string(), content: content.optional() }).loose();

type JsonSchema = Readonly<{
  type?: string | readonly string[];
  enum?: readonly unknown[];
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  items?: JsonSchema;
  maxLength?: number;
  minimum?: number;
  anyOf?: readonly JsonSchema[];
}>;

export const chatTool = z
  .object({
    type: z.literal('function'),
    function: z
      .object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() })
      .loose(),
  })
  .loose();

export type ChatMessage = z.infer<typeof chatMessage>;
export type ChatTool = z.infer<typeof chatTool>;

export type ScriptedReply =
  | Readonly<{ kind: 'text'; text: string; why: 'greeting' | 'turn' | 'after-tool' }>
  | Readonly<{ kind: 'tool'; name: string; arguments: string }>;

/**
 * The reply to a chat request.
 *
 * @example
 * scriptedReply([{ role: 'user', content: 'Can I talk to a person?' }], tools);
 * // { kind: 'tool', name: 'transfer_to_queue', arguments: '{"queue":"general","summary":"caller asked for a person"}' }
 */
export function scriptedReply(
  messages: readonly ChatMessage[],
  tools: readonly ChatTool[],
): ScriptedReply {
  const spoken = messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
  const last = spoken.at(-1);
  if (last?.role === 'tool') return { kind: 'text', text: REPLIES.afterTool, why: 'after-tool' };
  const lastUser = [...spoken].reverse().find((m) => m.role === 'user');
  if (!lastUser) return { kind: 'text', text: REPLIES.greeting, why: 'greeting' };
  const said = textOf(lastUser);
  const escalation = tools.find((t) => ESCALATION_TOOL.test(t.function.name));
  if (escalation && OUT_OF_SCOPE.test(said)) return toolCall(escalation, said);
  const tool = transferTool(tools);
  const schema = (tool?.function.parameters ?? {}) as JsonSchema;
  if (!tool || !(PERSON_REQUEST.test(said) || namedValue(enumValues(schema), said)))
    return { kind: 'text', text: REPLIES.turn, why: 'turn' };
  return toolCall(tool, said);
}

/** A call to `tool` with arguments valid for its JSON schema. */
function toolCall(tool: ChatTool, said: string): ScriptedReply {
  const schema = (tool.function.parameters ?? {}) as JsonSchema;
  return {
    kind: 'tool',
    name: tool.function.name,
    arguments: JSON.stringify(valueFor(schema, said) ?? {}),
  };
}

/** The text of a message, whatever its content shape. */
export function textOf(message: ChatMessage): string {
  const c = message.content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((part) => part.text ?? '').join(' ');
  return '';
}

/** The first tool that transfers to a human, preferring a named transfer over an escalation. */
function transferTool(tools: readonly ChatTool[]): ChatTool | undefined {
  const named = (re: RegExp) => tools.find((t) => re.test(t.function.name));
  return named(/transfer/i) ?? named(TRANSFER_TOOL);
}

/**
 * A value valid for `schema`. Enum strings pick the value the caller named
 * (its first four letters appear in what they said: "bill" for billing),
 * else a catch-all value (general, default…), else the first.
 */
function valueFor(schema: JsonSchema, said: string): unknown {
  if (schema.anyOf?.[0])
    return valueFor(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0], said);
  if (schema.enum && schema.enum.length > 0) return enumValue(schema.enum, said);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? Object.keys(schema.properties ?? {})) {
        const prop = schema.properties?.[name];
        if (prop) out[name] = valueFor(prop, said);
      }
      return out;
    }
    case 'string':
      return REPLIES.toolSummary.slice(0, schema.maxLength ?? undefined);
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default:
      return schema.properties ? valueFor({ ...schema, type: 'object' }, said) : null;
  }
}

function enumValue(values: readonly unknown[], said: string): unknown {
  return (
    namedValue(values, said) ??
    values.find((v) => typeof v === 'string' && GENERAL_VALUE.test(v)) ??
    values[0]
  );
}

/** The enum value the caller named: its first four letters appear in what they said. */
function namedValue(values: readonly unknown[], said: string): string | undefined {
  const lower = said.toLowerCase();
  return values.find(
    (v): v is string =>
      typeof v === 'string' && v.length >= 4 && lower.includes(v.slice(0, 4).toLowerCase()),
  );
}

/** Every enum value anywhere in a schema. */
function enumValues(schema: JsonSchema): unknown[] {
  return [
    ...(schema.enum ?? []),
    ...Object.values(schema.properties ?? {}).flatMap(enumValues),
    ...(schema.anyOf ?? []).flatMap(enumValues),
    ...(schema.items ? enumValues(schema.items) : []),
  ];
}
