/**
 * Routing-file settings that are valid but probably not what a Genesys BYOC
 * trunk expects. Dispatch logs each one at start-up; none stops it.
 */
import type { RoutingConfig } from '../../../contracts/routing.ts';

/** A static message, with the data (setting, trunk name) in fields. */
export type RoutingWarning = Readonly<{
  msg: string;
  fields: Readonly<{ setting: string; trunk: string }>;
}>;

/**
 * What looks wrong for Genesys BYOC in a valid routing file.
 *
 * @example
 * for (const w of routingWarnings(config.routing)) log.warn(w.msg, { ...w.fields });
 * // outboundTrunk with transport: tls and mediaEncryption: disable →
 * // "outbound trunk signals over TLS without SRTP; Genesys BYOC will likely expect SRTP"
 */
export function routingWarnings(routing: RoutingConfig): readonly RoutingWarning[] {
  const out = routing.outboundTrunk;
  if (!out) return [];
  const fields = { setting: 'outboundTrunk.mediaEncryption', trunk: out.name };
  if (out.transport === 'tls' && out.mediaEncryption === 'disable')
    return [
      {
        msg: 'outbound trunk signals over TLS without SRTP; Genesys BYOC will likely expect SRTP',
        fields,
      },
    ];
  if (out.transport !== 'tls' && out.mediaEncryption === 'allow')
    return [
      {
        msg: 'outbound trunk offers SRTP over unencrypted signalling; Genesys BYOC does SRTP over TLS only',
        fields,
      },
    ];
  return [];
}
