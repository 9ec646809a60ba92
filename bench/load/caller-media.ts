/**
 * The callers' voices, in a process of their own so the load driver's work
 * never delays a packet: one UDP socket per call, one pacing loop for all of
 * them that sends each call's packet every 20 ms on an absolute schedule
 * (late slots are caught up; past half a second behind they are skipped and
 * the RTP clock jumps, which the call's report counts), and each call's
 * script reacting to what it hears.
 *
 * Forked by run-callers.ts with an IPC channel: `node bench/load/caller-media.ts <plan.json>`.
 * It reports `ready` once every socket is bound, `answered` per call, and a
 * `report` per call once the driver says that call's sipp has ended; it
 * exits when every call has ended.
 */
import { readFileSync } from 'node:fs';
import { seededRandom } from './arrivals.ts';
import { converse, newCallerRecord, type CallerRecord } from './caller-behaviour.ts';
import { CallEnded, MediaCall } from './media-call.ts';
import {
  driverMessageSchema,
  mediaPlanSchema,
  type CallMediaReport,
  type MediaMessage,
} from './media-protocol.ts';
import { paceCalls } from './pacing.ts';
import { readSippAnswer, type SippAnswer } from './sipp-answer.ts';

/** The answer file is looked for every this many packet times. */
const ANSWER_POLL_SLOTS = 5;

function send(message: MediaMessage, then?: () => void): void {
  if (!process.send) throw new Error('caller-media must be forked with an IPC channel');
  process.send(message, undefined, {}, () => then?.());
}

async function main(planFile: string): Promise<void> {
  const plan = mediaPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));
  const clips = new Map<string, Uint8Array>();
  for (const u of plan.script.utterances) {
    for (const p of u.parts) clips.set(p.file, new Uint8Array(readFileSync(p.file)));
  }
  const calls = new Map<string, MediaCall>();
  const records = new Map<string, CallerRecord>();
  for (const c of plan.calls) {
    calls.set(c.id, await MediaCall.bind(c, plan.voicedRms, seededRandom(c.seed)));
    records.set(c.id, newCallerRecord());
  }
  const ringing = new Set<MediaCall>();
  let open = calls.size;

  const finish = (call: MediaCall) => {
    if (call.ended) return;
    call.end();
    ringing.delete(call);
    const record = records.get(call.plan.id) ?? newCallerRecord();
    const media = call.report();
    const report: CallMediaReport = {
      ...media,
      utterances: record.utterances.map((u) => ({ ...u, parts: [...u.parts] })),
      digits: record.digits,
      hungUp: record.hungUp,
      notes: [...media.notes, ...record.notes],
    };
    open--;
    send({ type: 'report', id: call.plan.id, report }, () => {
      if (open === 0) process.exit(0);
    });
  };

  const answer = (call: MediaCall) => {
    let answer: SippAnswer;
    try {
      answer = readSippAnswer(call.plan.dir);
    } catch (err) {
      call.note(`unreadable answer file: ${String(err)}`);
      ringing.delete(call);
      return;
    }
    ringing.delete(call);
    call.answer(answer.remote, answer.callId, Date.now());
    send({ type: 'answered', id: call.plan.id });
    const record = records.get(call.plan.id) ?? newCallerRecord();
    const random = seededRandom(call.plan.seed ^ 0x5bd1e995);
    converse(call.line(), plan.script, clips, plan.behaviour, random, record).catch(
      (err: unknown) => {
        if (!(err instanceof CallEnded)) call.note(`script failed: ${String(err)}`);
      },
    );
  };

  process.on('message', (raw) => {
    const parsed = driverMessageSchema.safeParse(raw);
    if (!parsed.success) {
      send({ type: 'fatal', message: `bad driver message: ${parsed.error.message}` });
      return;
    }
    const m = parsed.data;
    if (m.type === 'shutdown') {
      for (const call of calls.values()) finish(call);
      return;
    }
    const call = calls.get(m.id);
    if (!call) return;
    if (m.type === 'invited') ringing.add(call);
    else finish(call);
  });
  process.on('disconnect', () => process.exit(0));

  paceCalls(
    () => calls.values(),
    (slot) => {
      if (slot % ANSWER_POLL_SLOTS !== 0) return;
      for (const call of [...ringing]) if (call.answerWritten()) answer(call);
    },
  );
  send({ type: 'ready' });
}

const planFile = process.argv[2];
if (!planFile) {
  console.error('usage: caller-media.ts <plan.json>');
  process.exit(2);
}
main(planFile).catch((err: unknown) => {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (process.send) send({ type: 'fatal', message }, () => process.exit(1));
  else {
    console.error(message);
    process.exit(1);
  }
});
