import { describe, expect, it } from 'vitest';
import { routeOfCall } from './call-route.ts';
import { parseRouting } from './routing.ts';

const routing = parseRouting(
  `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: t, allowedAddresses: ["127.0.0.1"] }
queues: { general: { target: "sip:+18005550150@byoc.example" } }
routes:
  - { name: main, numbers: ["+18005550100"], persona: triage, humanQueue: general }
  - { name: main-east, numbers: ["+18005550101"], persona: triage, humanQueue: general }
`,
  'inline.yaml',
);

describe('routeOfCall', () => {
  it('reads the route from the dispatch rule room prefix, the longest first', () => {
    expect(routeOfCall(routing, 'call-main-_4321_x', undefined)?.name).toBe('main');
    expect(routeOfCall(routing, 'call-main-east-_4321_x', undefined)?.name).toBe('main-east');
  });

  it('falls back to the dialled number', () => {
    const attrs = { 'genesys.to': '<sip:+18005550101@10.0.0.2>' };
    expect(routeOfCall(routing, 'out-main-123', attrs)?.name).toBe('main-east');
    expect(routeOfCall(routing, undefined, { 'sip.trunkPhoneNumber': '+18005550100' })?.name).toBe(
      'main',
    );
    expect(routeOfCall(routing, undefined, { 'genesys.to': '<sip:+1999@x>' })).toBeUndefined();
  });
});
