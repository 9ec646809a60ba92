/**
 * Which LiveKit SIP objects dispatch owns: it stamps the trunks and dispatch
 * rules it creates with {@link OWNER_TAG}, the object's key and a hash of its
 * settings, and updates or deletes only objects stamped so. The agent finds
 * the outbound trunk it dials warm transfers through by the same stamp.
 */
import { z } from 'zod';
import { OWNER_TAG } from './sip-attributes.ts';

/** The keys of the trunks dispatch provisions (a dispatch rule's key is `route:<name>`). */
export const OWNED_KEYS = Object.freeze({
  inboundTrunk: 'inbound-trunk',
  outboundTrunk: 'outbound-trunk',
});

const ownershipSchema = z.object({
  owner: z.literal(OWNER_TAG),
  key: z.string(),
  hash: z.string(),
});

export type Ownership = Readonly<z.output<typeof ownershipSchema>>;

/**
 * The metadata dispatch stamps on an object it creates.
 *
 * @example
 * ownershipMetadata('outbound-trunk', '1f2e3d4c5b6a7988');
 */
export function ownershipMetadata(key: string, hash: string): string {
  const o: Ownership = { owner: OWNER_TAG, key, hash };
  return JSON.stringify(o);
}

/**
 * The ownership stamp of an existing object, or undefined when someone else owns it.
 *
 * @example
 * readOwnership(trunk.metadata)?.key === OWNED_KEYS.outboundTrunk;
 */
export function readOwnership(metadata: string | undefined): Ownership | undefined {
  if (!metadata) return undefined;
  try {
    const parsed = ownershipSchema.safeParse(JSON.parse(metadata));
    return parsed.success
      ? { owner: OWNER_TAG, key: parsed.data.key, hash: parsed.data.hash }
      : undefined;
  } catch {
    return undefined;
  }
}
