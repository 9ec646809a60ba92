/**
 * One-call check of the Python peer through the real stack: starts the FAKE
 * cloud stand-ins (test/fakes/cloud.ts, in this process), the stack without
 * our worker, and the peer worker; places one simulated Genesys call (sipp)
 * in which the caller asks for a person; prints what the Genesys side saw and
 * exits non-zero unless the peer greeted, replied after the caller spoke, and
 * REFERred the call.
 *
 *   scripts/with-env.sh node bench/peer/try-call.ts [--slot 8] [--stand-ins '<json env>']
 *
 * `--stand-ins` points the peer at stand-ins already running (a JSON object
 * of DEEPGRAM_BASE_URL, OPENAI_BASE_URL, ELEVENLABS_BASE_URL and their keys)
 * instead of starting test/fakes. Logs stay in `.run/peer-try-call/`.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { z } from 'zod';
import { encodeUui, uuiInReferTo } from '../../contracts/genesys-uui.ts';
import { audioStats } from '../../test/harness/audio.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from '../../test/harness/genesys-call.ts';
import { sleep, type ManagedProcess } from '../../test/harness/process.ts';
import { pcmuAudio } from '../../test/harness/rtp-capture.ts';
import { startStack, type Stack } from '../../test/harness/stack.ts';
import { startCloudFakes, type CloudFakes } from '../../test/fakes/cloud.ts';
import { peerProcesses, peerStandInEnv, startPeerWorker } from '../systems/peer.ts';

const CALLER_SAYS = "I'd like to talk to a person";
/**
 * The human queue, with the UUI Genesys needs inside the Refer-To (the sipp
 * scenario checks for it): the peer sends whatever URI it is given.
 */
const TRANSFER_TO = uuiInReferTo(
  'sip:+18005550150@127.0.0.1:5070',
  encodeUui('ai_reason=transfer_to_human', 'hex', 128, { protocolDiscriminator: 0x04 }),
);

const standInsEnv = z.record(z.string(), z.string());
/** The worker's `GET /worker` (proto3 JSON omits a zero job count). */
const workerInfo = z.object({ active_jobs: z.number().int().optional() });

const { values } = parseArgs({
  options: { slot: { type: 'string', default: '8' }, 'stand-ins': { type: 'string' } },
});
const slot = z.coerce.number().int().min(0).max(9).parse(values.slot);

let fakes: CloudFakes | undefined;
let stack: Stack | undefined;
let peer: ManagedProcess | undefined;
let ok = false;
try {
  const name = 'peer-try-call';
  let standIns: Record<string, string>;
  if (values['stand-ins']) {
    standIns = standInsEnv.parse(JSON.parse(values['stand-ins']));
  } else {
    fakes = await startCloudFakes({
      profile: 'zero',
      script: [CALLER_SAYS],
      log: (line) => console.log(`  stand-ins: ${line}`),
    });
    standIns = peerStandInEnv(fakes.python, fakes.agentEnv['OPENAI_MODEL']);
  }
  console.log(`starting the stack on slot ${slot} without our worker...`);
  stack = await startStack({ slot, name, agent: false });
  console.log('starting the peer worker (LiveKit Agents for Python)...');
  peer = await startPeerWorker(stack, {
    env: { ...standIns, PEER_TRANSFER_TO: TRANSFER_TO },
    logFile: join(stack.runDir, 'peer.log'),
    // The framework's 0.7 counts the whole machine's CPU: on a shared machine the
    // worker reports itself full and livekit-server drops the dispatch for good.
    loadThreshold: Infinity,
  });
  const procs = peerProcesses(peer.pid ?? 0);
  console.log(
    `peer registered: worker pid ${procs.worker}, job processes [${procs.jobs.join(', ')}], helpers [${procs.helpers.join(', ')}]`,
  );
  const call = await placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-spoken-request.xml',
    speech: CALLER_SAYS,
    speechEngine: 'flite',
    trailingSilenceSeconds: 10,
  });
  const jobEnded = await waitForNoActiveJob(stack);
  ok = report(stack, call, jobEnded);
} catch (err) {
  console.error(err);
} finally {
  await peer?.stop();
  await stack?.stop();
  await fakes?.close();
}
process.exit(ok ? 0 : 1);

/** Polls the worker until it runs no job; bounded. */
async function waitForNoActiveJob(s: Stack): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${s.ports.agentHealth}/worker`).catch(
      () => undefined,
    );
    const info = res?.ok ? workerInfo.safeParse(await res.json()) : undefined;
    if (info?.success && (info.data.active_jobs ?? 0) === 0) return true;
    await sleep(500);
  }
  return false;
}

/** Prints the call as the Genesys side saw it; true when every check passed. */
function report(s: Stack, call: GenesysCallReport, jobEnded: boolean): boolean {
  const media = s.ports.genesysMedia;
  const toCaller = call.rtp.filter((p) => p.dstPort === media);
  const fromCaller = call.rtp.filter((p) => p.srcPort === media);
  // The caller's first voiced packet splits what was heard into greeting and reply.
  const spokeAt = fromCaller.find((p) => audioStats(pcmuAudio([p])).voicedMs > 0)?.time;
  const before = toCaller.filter((p) => spokeAt === undefined || p.time < spokeAt);
  const after = toCaller.filter((p) => spokeAt !== undefined && p.time >= spokeAt);
  const greeting = audioStats(pcmuAudio(before)).voicedMs;
  const reply = audioStats(pcmuAudio(after)).voicedMs;
  const checks: [string, boolean, string][] = [
    ['sipp scenario', call.sipp.exitCode === 0, call.sipp.failures.join('; ') || 'passed'],
    ['greeting heard', greeting > 0, `${greeting} ms of speech before the caller spoke`],
    ['caller spoke', spokeAt !== undefined, `${call.said.voicedMs} ms of speech`],
    ['reply heard', reply > 0, `${reply} ms of speech after the caller spoke`],
    ['REFER received', call.refer !== undefined, call.refer?.target ?? 'none'],
    ['BYE from the bridge', call.byeReceived, call.byeReceived ? 'yes' : 'no'],
    ['job ended', jobEnded, jobEnded ? 'no active job after the caller left' : 'still active'],
  ];
  for (const [label, pass, detail] of checks) {
    console.log(`  ${pass ? 'ok  ' : 'FAIL'} ${label.padEnd(20)} ${detail}`);
  }
  console.log(`  logs in ${s.runDir}`);
  return checks.every(([, pass]) => pass);
}
