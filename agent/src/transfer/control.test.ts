import { describe, expect, it } from 'vitest';
import { callContextFromAttributes } from '../../../contracts/call-context.ts';
import type { HandoffReason } from '../../../contracts/call-outcome.ts';
import { NO_METRICS } from '../observability/metrics-sink.ts';
import { CALLER_LINES } from './caller-lines.ts';
import { createTransferControl, type HandoffRequest, type TransferControlDeps } from './control.ts';
import type { TransferAttempt } from '../../../contracts/transfer-outcome.ts';
import { CALLER_ATTRIBUTES, FakeSip, fakeRouting, referRefused } from '../call/testing/fakes.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function setup(overrides: Partial<TransferControlDeps> = {}) {
  const heard: string[] = [];
  const stages: string[] = [];
  let claimed = false;
  const sip = new FakeSip();
  const deps: TransferControlDeps = {
    sip,
    routing: fakeRouting(),
    room: 'call-main-x',
    participantIdentity: 'sip_caller',
    call: callContextFromAttributes(CALLER_ATTRIBUTES, { protocolDiscriminator: 4 }),
    route: 'main',
    persona: 'triage',
    stage: {
      claim: (_q: string, reason: HandoffReason) => {
        if (claimed) return false;
        claimed = true;
        stages.push(`handing_off ${reason}`);
        return true;
      },
      handedOff: () => void stages.push('handed_off'),
      released: () => {
        claimed = false;
        stages.push('conversing');
      },
    },
    voice: {
      say: async (text) => void heard.push(text),
      apologize: async () => void heard.push('(recorded apology)'),
    },
    metrics: NO_METRICS,
    log: quiet,
    callerGone: new Promise(() => undefined),
    sleep: async () => true,
    storeContext: async () => 'ctx-1',
    ...overrides,
  };
  return { control: createTransferControl(deps), heard, stages, sip };
}

const dtmf: HandoffRequest = {
  queue: 'general',
  reason: 'dtmf_zero',
  announce: 'none',
  onFailure: 'apologize',
};

describe('the transfer control', () => {
  it('hands off once at a time: a second request is busy while the first runs', async () => {
    const { control, stages, sip } = setup();
    const first = control.handOff(dtmf);
    expect(control.underWay()).toBeDefined();
    expect(await control.handOff({ ...dtmf, reason: 'provider_failure' })).toEqual({
      status: 'busy',
    });
    expect((await first).status).toBe('transferred');
    expect(stages).toEqual(['handing_off dtmf_zero', 'handed_off']);
    expect(sip.refers).toHaveLength(1);
  });

  it.each([
    ['connecting', [CALLER_LINES.connecting]],
    ['apology', ['(recorded apology)']],
    ['none', []],
  ] as const)('announces %s before the REFER', async (announce, lines) => {
    const { control, heard } = setup();
    await control.handOff({ ...dtmf, announce });
    expect(heard).toEqual(lines);
  });

  it('tries the alternate, then apologizes and gives the call back when nothing takes it', async () => {
    const { control, heard, stages, sip } = setup();
    sip.script.push(referRefused(486), referRefused(503));
    const result = await control.handOff(dtmf);
    expect(result.status).toBe('not_transferred');
    expect(sip.refers.map((r) => r.referTo.split('?')[0])).toEqual([
      'sip:+18005550150@byoc.example',
      'sip:+18005550151@byoc.example',
    ]);
    expect(heard).toEqual([CALLER_LINES.notConnected]);
    expect(stages.at(-1)).toBe('conversing');
  });

  it('leaves the apology to the persona when it reports the failure itself', async () => {
    const { control, heard, sip } = setup();
    sip.script.push(referRefused(486), referRefused(486));
    await control.handOff({ ...dtmf, reason: 'persona_route', onFailure: 'report' });
    expect(heard).toEqual([]);
  });

  it('counts an unconfirmed REFER as done when the caller leg goes away', async () => {
    const lost = Object.assign(new Error('transaction failed to complete'), { name: 'TwirpError' });
    const gone = setup({
      callerGone: Promise.resolve(),
      sleep: () => new Promise(() => undefined),
    });
    gone.sip.script.push(lost);
    expect((await gone.control.handOff(dtmf)).status).toBe('transferred');
    // Never tried twice: Genesys may be moving the call.
    expect(gone.sip.refers).toHaveLength(1);

    const stays = setup();
    stays.sip.script.push(lost);
    expect((await stays.control.handOff(dtmf)).status).toBe('not_transferred');
    expect(stays.heard).toEqual([CALLER_LINES.notConnected]);
  });

  it('falls back from a warm transfer to the blind REFER, telling the caller', async () => {
    const routing = fakeRouting();
    const warmRouting = {
      ...routing,
      outboundTrunk: {
        name: 'o',
        address: 'x',
        transport: 'udp',
        numbers: ['+1555'],
        mediaEncryption: 'disable',
      },
      queues: {
        ...routing.queues,
        general: {
          ...routing.queues['general']!,
          consult: { number: '+18005550170', ringSeconds: 5 },
        },
      },
    } as typeof routing;
    const declined: TransferAttempt = {
      queue: 'general',
      target: 'consult:+18005550170',
      startedAt: new Date(),
      durationMs: 0,
      outcome: { status: 'refused', sipStatus: 603, message: 'declined' },
    };
    const { control, heard } = setup({ routing: warmRouting, consult: async () => declined });
    const result = await control.handOff(dtmf);
    expect(result.status).toBe('transferred');
    expect(heard).toEqual([CALLER_LINES.warmFallback]);
    expect('attempts' in result && result.attempts.map((a) => a.outcome.status)).toEqual([
      'refused',
      'completed',
    ]);
  });
});
