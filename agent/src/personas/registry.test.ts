import { describe, expect, it } from 'vitest';
import { loadRouting, parseRouting } from '../../../contracts/routing.ts';
import { handoffPolicies, routingProblems } from './registry.ts';

describe('routingProblems', () => {
  it.each([
    'livekit-config/routing.yaml',
    'test/fixtures/routing-exits.yaml',
    'test/fixtures/routing-outbound.yaml',
    'test/fixtures/routing-transfers.yaml',
    'test/fixtures/routing-warm.yaml',
    'test/fixtures/routing-setup-failure.yaml',
  ])('finds none for %s', (file) => {
    expect(routingProblems(loadRouting(file))).toEqual([]);
  });

  it('names a persona queue the routing file lacks and a route persona the worker lacks', () => {
    const routing = parseRouting(
      `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: t, allowedAddresses: ["127.0.0.1"] }
queues:
  general: { target: "sip:+18005550150@byoc.example" }
routes:
  - { name: main, numbers: ["+18005550100"], persona: front-desk, humanQueue: general }
`,
      'inline.yaml',
    );
    const problems = routingProblems(routing);
    expect(problems).toContain(
      'persona "triage" transfers to queue "billing", which the routing file does not define',
    );
    expect(problems).toContain(
      'route "main" names persona "front-desk", which this worker does not have',
    );
  });

  it('names a route whose handoff override contradicts its persona', () => {
    const routing = parseRouting(
      `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: t, allowedAddresses: ["127.0.0.1"] }
queues:
  general: { target: "sip:+18005550150@byoc.example" }
  billing: { target: "sip:+18005550160@byoc.example" }
  support: { target: "sip:+18005550170@byoc.example" }
  sales: { target: "sip:+18005550180@byoc.example" }
routes:
  - name: main
    numbers: ["+18005550100"]
    persona: after-hours
    humanQueue: general
    handoff: { maxSessionSeconds: 80 }
`,
      'inline.yaml',
    );
    expect(routingProblems(routing)).toEqual([
      'route "main": its handoff override and persona "after-hours" together are invalid: warnBeforeSeconds: warnBeforeSeconds must be less than maxSessionSeconds',
    ]);
  });
});

describe('handoffPolicies', () => {
  it("merges the route's override over whichever persona answers (a UUI field may pick any)", () => {
    const routing = parseRouting(
      `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: t, allowedAddresses: ["127.0.0.1"] }
queues:
  general: { target: "sip:+18005550150@byoc.example" }
  billing: { target: "sip:+18005550160@byoc.example" }
routes:
  - { name: main, numbers: ["+18005550100"], persona: triage, humanQueue: general, handoff: { maxTurns: 7 } }
`,
      'inline.yaml',
    );
    const policyFor = handoffPolicies(routing);
    expect(policyFor('main', 'triage').maxTurns).toBe(7);
    expect(policyFor('main', 'self-service').maxTurns).toBe(7);
    // after-hours keeps its own warning with the route's turn limit.
    expect(policyFor('main', 'after-hours')).toMatchObject({ maxTurns: 7, warnBeforeSeconds: 90 });
    expect(handoffPolicies(routing)('main', 'triage')).toBe(policyFor('main', 'triage'));
  });
});
