/**
 * A room the agent has left after a warm transfer, with the caller and the
 * human still talking through it. livekit-sip does not hang one leg up when
 * the other leaves, so the agent marks the room (its metadata) and dispatch,
 * told by LiveKit's webhook that one of the two left, closes the room.
 */
import { z } from 'zod';

export const bridgeMetadataSchema = z
  .object({
    bridge: z
      .object({
        /** Identities of the two SIP legs. */
        caller: z.string().min(1),
        human: z.string().min(1),
      })
      .strict(),
  })
  .strict();

export type BridgeMetadata = z.output<typeof bridgeMetadataSchema>;

/**
 * The bridge a room's metadata describes, or undefined.
 *
 * @example
 * parseBridgeMetadata('{"bridge":{"caller":"sip_ab12","human":"human-SCL_x"}}')?.bridge.human; // 'human-SCL_x'
 */
export function parseBridgeMetadata(metadata: string | undefined): BridgeMetadata | undefined {
  if (!metadata) return undefined;
  try {
    const parsed = bridgeMetadataSchema.safeParse(JSON.parse(metadata));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The room metadata that marks a bridge (the agent sets it before it leaves).
 *
 * @example
 * encodeBridgeMetadata({ caller: 'sip_ab12', human: 'human-SCL_x' }); // '{"bridge":{"caller":"sip_ab12","human":"human-SCL_x"}}'
 */
export function encodeBridgeMetadata(bridge: BridgeMetadata['bridge']): string {
  return JSON.stringify(bridgeMetadataSchema.parse({ bridge }));
}
