import { describe, expect, it } from 'vitest';
import { parseRouting } from '../../../contracts/routing.ts';
import { routingWarnings } from './warnings.ts';

const routing = (outbound = '') =>
  parseRouting(
    `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: genesys-byoc, allowedAddresses: ["198.51.100.0/24"] }
${outbound}queues:
  general: { target: "sip:+18005550150@byoc.example" }
routes:
  - { name: main, numbers: ["+18005550100"], persona: triage, humanQueue: general }
`,
    'test.yaml',
  );
const outbound = (transport: string, mediaEncryption?: string) =>
  routing(`outboundTrunk:
  name: genesys-out
  address: acme.byoc.mypurecloud.com
  transport: ${transport}
  numbers: ["+18005550199"]
${mediaEncryption ? `  mediaEncryption: ${mediaEncryption}\n` : ''}`);
const fields = { setting: 'outboundTrunk.mediaEncryption', trunk: 'genesys-out' };

describe('routingWarnings', () => {
  it('warns that Genesys will likely expect SRTP on a TLS trunk without it', () => {
    const expected = [
      {
        msg: 'outbound trunk signals over TLS without SRTP; Genesys BYOC will likely expect SRTP',
        fields,
      },
    ];
    expect(routingWarnings(outbound('tls', 'disable'))).toEqual(expected);
    expect(routingWarnings(outbound('tls'))).toEqual(expected); // disable is the default
  });

  it.each([['udp'], ['tcp']])('warns that SRTP offered over %s will not work', (transport) => {
    expect(routingWarnings(outbound(transport, 'allow'))).toEqual([
      {
        msg: 'outbound trunk offers SRTP over unencrypted signalling; Genesys BYOC does SRTP over TLS only',
        fields,
      },
    ]);
  });

  it.each([
    ['tls', 'allow'],
    ['tls', 'require'],
    ['udp', 'disable'],
    ['tcp', 'disable'],
  ])('says nothing about transport %s with %s', (transport, mediaEncryption) => {
    expect(routingWarnings(outbound(transport, mediaEncryption))).toEqual([]);
  });

  it('says nothing without an outbound trunk', () => {
    expect(routingWarnings(routing())).toEqual([]);
  });

  it('keeps its messages static: names live in fields', () => {
    for (const w of [
      ...routingWarnings(outbound('tls')),
      ...routingWarnings(outbound('udp', 'allow')),
    ])
      expect(w.msg).not.toContain('genesys-out');
  });
});
