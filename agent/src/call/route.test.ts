import { describe, expect, it } from 'vitest';
import type { DispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import { parseRouting } from '../../../contracts/routing.ts';
import { routeCall } from './route.ts';

const routing = parseRouting(
  `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: t, allowedAddresses: ["127.0.0.1"] }
queues:
  general: { target: "sip:+18005550150@byoc.example" }
  billing: { target: "sip:+18005550160@byoc.example" }
routes:
  - { name: main, numbers: ["+18005550100"], persona: triage, humanQueue: general }
  - name: platinum
    match: { header: X-Customer-Tier, equals: platinum }
    persona: self-service
    humanQueue: billing
    metadata: { tier: platinum }
  - name: collections
    match: { uuiField: ai_route, equals: collections }
    persona: overflow
    humanQueue: billing
`,
  'inline.yaml',
);

const META: DispatchMetadata = {
  v: 1,
  route: 'main',
  persona: 'triage',
  humanQueue: 'general',
  values: {},
};
const call = (xHeaders: Record<string, string>, fields?: Record<string, string>) => ({
  xHeaders,
  uui: fields
    ? { text: '', encoding: 'hex' as const, fields, protocolDiscriminator: undefined }
    : undefined,
});

describe('routeCall', () => {
  it("keeps the number's route when nothing matches", () => {
    expect(routeCall(routing, META, call({ 'x-customer-tier': 'gold' }))).toBe(META);
  });

  it('hands the call to the route whose X- header matches, with its persona, queue and values', () => {
    expect(routeCall(routing, META, call({ 'x-customer-tier': 'platinum' }))).toEqual({
      ...META,
      route: 'platinum',
      persona: 'self-service',
      humanQueue: 'billing',
      values: { tier: 'platinum' },
    });
  });

  it('matches a UUI field the Architect flow set', () => {
    expect(routeCall(routing, META, call({}, { ai_route: 'collections' })).route).toBe(
      'collections',
    );
  });

  it('leaves outbound calls and replacement agents on the route they were given', () => {
    const platinum = call({ 'x-customer-tier': 'platinum' });
    expect(routeCall(routing, { ...META, direction: 'outbound' }, platinum).route).toBe('main');
    expect(routeCall(routing, { ...META, recovery: { attempt: 1 } }, platinum).route).toBe('main');
  });
});
