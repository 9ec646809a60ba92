/**
 * The walking-skeleton call through the real stack: sipp plays Genesys Cloud,
 * calls the route's number with Genesys headers, hears the greeting, speaks,
 * presses 0, and must receive a REFER back to the route's human queue with the
 * context as UUI inside the Refer-To URI.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioStats, synthesizeCallerSpeech } from './harness/audio.ts';
import { pcmuAudio, startRtpCapture, type RtpPacket } from './harness/rtp-capture.ts';
import { header, runSipp, SIPP_DTMF_DIR, type SippResult } from './harness/sipp.ts';
import { startStack, type Stack } from './harness/stack.ts';

const CONVERSATION_ID = '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const CALLER_UUI = 'account=12345;intent=billing';

describe('walking-skeleton Genesys call', () => {
  let stack: Stack;
  let sipp: SippResult;
  let rtp: RtpPacket[];

  beforeAll(async () => {
    stack = await startStack({ slot: 1, name: 'test-walking-skeleton' });
    const workDir = join(stack.runDir, 'sipp');
    const speech = join(stack.runDir, 'caller-speech.wav');
    synthesizeCallerSpeech('Hello, I have a question about my bill.', speech);
    const capture = await startRtpCapture(
      stack.ports.genesysMedia,
      join(stack.runDir, 'genesys-media.pcap'),
    );
    sipp = await runSipp({
      scenario: 'genesys-inbound-refer.xml',
      workDir,
      target: `127.0.0.1:${stack.ports.sip}`,
      service: '+18005550100',
      localPort: stack.ports.genesysSip,
      mediaPort: stack.ports.genesysMedia,
      files: {
        'caller-speech.wav': speech,
        'caller-dtmf.pcap': join(SIPP_DTMF_DIR, 'dtmf_2833_0.pcap'),
      },
      keys: {
        ani: '+15551234567',
        cnv: CONVERSATION_ID,
        uui: Buffer.from(CALLER_UUI).toString('hex'),
        xtier: 'gold',
        notify: '200 OK',
      },
    });
    rtp = await capture.stop();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('completes the Genesys side of the scenario', () => {
    expect(sipp.errors).toBe('');
    expect(sipp.exitCode).toBe(0);
  });

  it('plays a spoken greeting to the caller as PCMU RTP', () => {
    const toCaller = rtp.filter((p) => p.dstPort === stack.ports.genesysMedia);
    const heard = audioStats(pcmuAudio(toCaller));
    expect(toCaller.length).toBeGreaterThan(100);
    // The greeting is several seconds of speech; the caller listened ~5.5 s before the transfer.
    expect(heard.voicedMs).toBeGreaterThan(1500);
    expect(heard.peakRms).toBeGreaterThan(1000);
  });

  it('sends the caller speech and the RFC 2833 digit towards the bridge', () => {
    const fromCaller = rtp.filter((p) => p.srcPort === stack.ports.genesysMedia);
    expect(audioStats(pcmuAudio(fromCaller)).voicedMs).toBeGreaterThan(1000);
    expect(fromCaller.some((p) => p.payloadType === 101)).toBe(true);
  });

  it('transfers with a REFER to the route human queue, UUI inside the Refer-To URI', () => {
    const refer = sipp.messages.find((m) => m.direction === 'received' && m.method === 'REFER');
    expect(refer).toBeDefined();
    const referTo = header(refer!, 'Refer-To') ?? '';
    const uri = /<([^>]+)>/.exec(referTo)?.[1] ?? referTo;
    const [target, query = ''] = uri.split('?');
    expect(target).toBe('sip:+18005550150@127.0.0.1:5070');

    const uuiParam = new URLSearchParams(query).get('User-to-User') ?? '';
    const [hex = '', encoding] = uuiParam.split(';');
    expect(encoding).toBe('encoding=hex');
    const fields = Object.fromEntries(
      Buffer.from(hex, 'hex')
        .toString('latin1')
        .split(';')
        .map((kv) => kv.split('=') as [string, string]),
    );
    expect(fields).toMatchObject({
      ai_reason: 'dtmf_zero',
      ai_route: 'main',
      ai_cnv: CONVERSATION_ID,
      account: '12345',
      intent: 'billing',
    });
    expect(header(refer!, 'X-AI-Transfer-Reason')).toBe('dtmf_zero');
  });

  it('tears the call down after Genesys reports the transfer done', () => {
    const bye = sipp.messages.find((m) => m.direction === 'received' && m.method === 'BYE');
    expect(bye).toBeDefined();
    const notifyAnswer = sipp.messages.find(
      (m) =>
        m.direction === 'received' && m.status === 200 && /NOTIFY/.test(header(m, 'CSeq') ?? ''),
    );
    expect(notifyAnswer).toBeDefined();
  });

  it('ends the agent job once the call is gone', async () => {
    const deadline = Date.now() + 15_000;
    let activeJobs = -1;
    while (Date.now() < deadline) {
      const info = (await (
        await fetch(`http://127.0.0.1:${stack.ports.agentHealth}/worker`)
      ).json()) as {
        active_jobs: number;
      };
      activeJobs = info.active_jobs;
      if (activeJobs === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(activeJobs).toBe(0);
  });

  it('leaves no process behind when the stack stops', async () => {
    const pids = [...stack.processes.values()]
      .map((p) => p.pid)
      .filter((p): p is number => p !== undefined);
    await stack.stop();
    const alive = pids.filter((pid) => {
      try {
        process.kill(-pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});
