/**
 * What masking personal data costs on the logging path: every log line of a
 * call goes through redactLogFields (the framework's included), and caller
 * transcripts through redactText. Reports time per call and throughput.
 *
 *   node agent/bench/log-redaction.bench.ts [iterations]
 */
import { redactText } from '../../contracts/redact.ts';
import { redactLogFields } from '../src/observability/call-logger.ts';

const iterations = Number(process.argv[2] ?? 200_000);

const TYPICAL_LINE = {
  level: 30,
  time: Date.now(),
  jobID: 'AJ_fra8Wv9Dadua',
  genesysConversationId: '5d2c9e1a-7b3f-4a6d-8e0c-1f2a3b4c5d6e',
  sipCallId: 'SCL_Gyn4Yjuzov3d',
  persona: 'triage',
  speech_id: 'speech_3d8a8aba-fac',
  msg: 'Creating speech handle',
};
const PII_LINE = {
  ...TYPICAL_LINE,
  ani: '+15557654321',
  uuiFields: { account: '98765', intent: 'billing' },
  'lk.pii.user_transcript': 'my card is 4111 1111 1111 1111 and my number is 555 123 4567',
};
const TRANSCRIPT =
  "i'd like to talk to someone about my bill, my account number is one two three four five and you can call me back on 555 123 4567";

function measure(name: string, fn: () => unknown): void {
  for (let i = 0; i < 10_000; i++) fn(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  console.log(
    `  ${name.padEnd(44)} ${(ns / 1000).toFixed(2).padStart(7)} µs/op  ${Math.round(1e9 / ns)
      .toLocaleString('en-US')
      .padStart(11)} ops/s`,
  );
}

console.log(
  `Log redaction, ${iterations.toLocaleString('en-US')} iterations each (${process.version})`,
);
measure('redactLogFields, line without personal data', () => redactLogFields(TYPICAL_LINE));
measure('redactLogFields, line with ANI, UUI, lk.pii', () => redactLogFields(PII_LINE));
measure(`redactText, ${TRANSCRIPT.length}-character transcript`, () => redactText(TRANSCRIPT));
