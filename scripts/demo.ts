/**
 * `make demo`: starts the stack, places one simulated Genesys Cloud call
 * (sipp) and prints what the Genesys side experienced.
 */
import { defaultGenesysCall, placeGenesysCall } from '../test/harness/genesys-call.ts';
import { header } from '../test/harness/sipp.ts';
import { startStack } from '../test/harness/stack.ts';

const call = defaultGenesysCall;
console.log('Starting redis, livekit-server, livekit-sip, dispatch and the agent worker...');
const stack = await startStack({ slot: 2, name: 'demo' });
let ok: boolean;
try {
  console.log(`Stack up. Placing a simulated Genesys Cloud call to ${call.dnis}...\n`);
  const r = await placeGenesysCall(stack, call);
  const notify = r.sipp.messages.find((m) => m.direction === 'sent' && m.method === 'NOTIFY');
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const rows: [string, string][] = [
    ['Genesys conversation', call.conversationId],
    ['Caller -> number', `${call.ani} -> ${call.dnis}`],
    ['UUI sent by Genesys', `${call.uui} (hex in User-to-User)`],
    [
      'Greeting heard',
      r.heard.voicedMs > 0 ? `${secs(r.heard.voicedMs)} of speech over RTP (PCMU)` : 'NOTHING',
    ],
    ['Caller said', `"${call.speech}" (${secs(r.said.voicedMs)} of speech)`],
    ['Digits pressed', r.digitsSent ? `${call.digit} (RFC 2833)` : 'none'],
    ['REFER target', r.refer?.target ?? 'NO REFER RECEIVED'],
    [
      'UUI in Refer-To',
      r.refer
        ? Object.entries(r.refer.uuiFields)
            .map(([k, v]) => `${k}=${v}`)
            .join(';')
        : '-',
    ],
    [
      'REFER header',
      r.refer
        ? `X-AI-Transfer-Reason: ${header(r.refer.message, 'X-AI-Transfer-Reason') ?? '-'}`
        : '-',
    ],
    ['Genesys NOTIFY', notify ? notify.body : '-'],
    ['Call released', r.byeReceived ? 'BYE from livekit-sip' : 'no BYE'],
  ];
  for (const [k, v] of rows) console.log(`  ${k.padEnd(22)} ${v}`);
  ok = r.sipp.exitCode === 0 && r.heard.voicedMs > 0 && r.refer !== undefined && r.byeReceived;
  console.log(
    `\n  Result: ${ok ? 'PASS: the call reached the agent and went back to Genesys' : 'FAIL'}`,
  );
  console.log(
    `  Logs: ${stack.runDir}/ (agent.log, dispatch.log, livekit-*.log, sipp/messages.log, genesys-media.pcap)`,
  );
} finally {
  await stack.stop();
}
process.exit(ok ? 0 : 1);
