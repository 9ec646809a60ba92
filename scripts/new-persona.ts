/**
 * `node scripts/new-persona.ts <name> [--dir <path>]`: writes a working
 * persona `<name>.ts` and its passing text-level test `<name>.test.ts` into
 * `agent/src/personas/` (or `--dir`), then prints how to register it. Never
 * overwrites a file and never edits `registry.ts`.
 *
 * Exit status: 0 written, 1 a file already exists, 2 bad usage or name.
 *
 * @example
 * node scripts/new-persona.ts front-desk
 * // Created agent/src/personas/front-desk.ts
 * // Created agent/src/personas/front-desk.test.ts
 * // ...
 * //   import frontDesk from './front-desk.ts';
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const PERSONAS_DIR = join(REPO_ROOT, 'agent/src/personas');
/** The rule `definePersona` enforces on `name`; file names follow it. */
const NAME = /^[a-z][a-z0-9-]{0,40}$/;
const USAGE = 'usage: node scripts/new-persona.ts <name> [--dir <path>]';

/** Words a default import may not be named (`import new from ...` does not parse). */
const RESERVED = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export ' +
    'extends false finally for function if implements import in instanceof interface let new ' +
    'null package private protected public return static super switch this throw true try ' +
    'typeof var void while with yield'
  ).split(' '),
);

class UsageError extends Error {}

type Args = Readonly<{ name: string; dir: string }>;

function parseArgs(argv: readonly string[]): Args {
  let name: string | undefined;
  let dir = PERSONAS_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--dir') {
      const value = argv[++i];
      if (!value) throw new UsageError(`--dir needs a path\n${USAGE}`);
      dir = resolve(value);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}\n${USAGE}`);
    } else if (name === undefined) {
      name = arg;
    } else {
      throw new UsageError(`one name only, got "${name}" and "${arg}"\n${USAGE}`);
    }
  }
  if (name === undefined) throw new UsageError(`a persona name is required\n${USAGE}`);
  if (!NAME.test(name)) {
    throw new UsageError(
      `invalid persona name "${name}": use 1-41 lower-case letters, digits and -, starting with a letter (e.g. front-desk)`,
    );
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--dir ${dir} is not a directory`);
  }
  return { name, dir };
}

/** `front-desk` → `frontDesk`, the identifier `registry.ts` imports it as. */
function identifierFor(name: string): string {
  const camel = name.replace(/-+([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/-/g, '');
  return RESERVED.has(camel) ? `${camel}Persona` : camel;
}

/** Import specifier of the personas directory as seen from `dir`: `.` or a relative path. */
function personasImportBase(dir: string): string {
  const rel = relative(dir, PERSONAS_DIR).split(sep).join('/');
  if (rel === '') return '.';
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function personaSource(name: string, base: string): string {
  return `/**
 * The ${name} persona: answers briefly and hands the caller to a person on
 * request. Replace the instructions, greeting and offline intents with what
 * this phone line needs.
 */
import { definePersona } from '${base}/persona.ts';
import { transferTool } from '${base}/tools.ts';

/** Queue names under \`queues:\` in livekit-config/routing.yaml this persona may transfer to. */
const QUEUES = ['general'] as const;

export default definePersona({
  name: '${name}',
  description: 'Answers simple questions and transfers the caller to a person on request',
  instructions:
    'You answer phone calls for the contact center. Keep every reply to one short sentence. ' +
    'When the caller asks for a person, or for anything you cannot handle, call ' +
    'transfer_to_queue with "general" and one sentence for the agent about who is calling and why.',
  greeting: () => 'Thanks for calling. How can I help you today?',
  voice: {},
  keyterms: ['agent', 'representative', 'person'],
  transferTargets: QUEUES,
  tools: (rt) => ({ transfer_to_queue: transferTool(rt, QUEUES) }),
  offline: {
    intents: [
      {
        name: 'person',
        phrases: ['talk to someone', 'a person', 'agent', 'representative', 'human'],
        say: 'Let me connect you with one of our team.',
        call: {
          tool: 'transfer_to_queue',
          args: (call) => ({ queue: 'general', summary: \`Caller \${call.ani} asked for a person\` }),
        },
      },
    ],
    noMatch: 'Sorry, I did not catch that. Would you like to talk to someone?',
    toolFailed: 'I am sorry, I could not connect you just now. Please stay on the line.',
  },
});
`;
}

function testSource(name: string, base: string): string {
  return `import { voice } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import persona from './${name}.ts';
import {
  offlineIntentProblems,
  RecordingRuntime,
  spokenReplies,
  usePersonaTests,
} from '${base}/testing/index.ts';

const start = usePersonaTests(persona);

const CONNECTING = 'Let me connect you with one of our team.';
const saidBy = spokenReplies;

describe('${name} persona, offline rules', () => {
  it('has offline intents that all match', () => {
    expect(offlineIntentProblems(persona)).toEqual([]);
  });

  it('transfers a caller who asks for a person to general', async () => {
    const t = await start();
    const result = await t.run('Can I talk to someone, please?');

    result.expect.containsFunctionCall({ name: 'transfer_to_queue', args: { queue: 'general' } });
    result.expect.containsFunctionCallOutput({ isError: false });
    expect(saidBy(result)).toEqual([CONNECTING]);
    expect(t.runtime.transfers).toEqual([
      {
        queue: 'general',
        reason: 'persona_route',
        summary: \`Caller \${t.call.ani} asked for a person\`,
      },
    ]);
  });

  it('asks again, and transfers nobody, when it does not understand', async () => {
    const t = await start();
    const result = await t.run('What is the weather like?');

    expect(saidBy(result)).toEqual([persona.offline.noMatch]);
    expect(t.runtime.transfers).toEqual([]);
  });

  it('says toolFailed when the transfer does not go through', async () => {
    const runtime = new RecordingRuntime({
      allowedQueues: persona.transferTargets,
      transferResult: 'failed',
    });
    const t = await start({ runtime });
    const result = await t.run('I want a representative');

    result.expect.containsFunctionCallOutput({ isError: true });
    expect(saidBy(result)).toEqual([CONNECTING, persona.offline.toolFailed]);
  });
});

describe('${name} persona, scripted LLM', () => {
  it('routes a transfer the LLM asks for through the runtime', async () => {
    const args = { queue: 'general', summary: 'Caller wants to change a booking' };
    const llm = new voice.testing.FakeLLM([
      { input: 'I need to change my booking', toolCalls: [{ name: 'transfer_to_queue', args }] },
    ]);
    const t = await start({ llm });
    const result = await t.run('I need to change my booking');

    result.expect.containsFunctionCallOutput({ isError: false });
    expect(t.runtime.transfers).toEqual([{ ...args, reason: 'persona_route' }]);
  });
});
`;
}

function main(argv: readonly string[]): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`new-persona: ${err.message}`);
    return 2;
  }
  const { name, dir } = args;
  const files = [join(dir, `${name}.ts`), join(dir, `${name}.test.ts`)];
  const taken = files.filter((f) => existsSync(f));
  if (taken.length > 0) {
    const verb = taken.length === 1 ? 'exists' : 'exist';
    console.error(`new-persona: ${taken.join(' and ')} already ${verb}; nothing was written`);
    return 1;
  }
  const base = personasImportBase(dir);
  const [personaFile = '', testFile = ''] = files;
  // 'wx': a file created since the check above is never overwritten.
  writeFileSync(personaFile, personaSource(name, base), { flag: 'wx' });
  writeFileSync(testFile, testSource(name, base), { flag: 'wx' });

  const id = identifierFor(name);
  const shown = (f: string) => relative(process.cwd(), f) || f;
  console.log(`Created ${shown(personaFile)}
Created ${shown(testFile)}

Register it: add this line to agent/src/personas/registry.ts, and ${id} to the personas list:
  import ${id} from './${name}.ts';

Test it:
  npx vitest run --project unit ${shown(testFile)}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
