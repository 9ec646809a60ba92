/**
 * Replay protection for LiveKit's webhooks. A signed webhook is valid for as
 * long as its JWT is (livekit-server signs each for 5 minutes; an expired one
 * is refused as unsigned), so whoever captures one could send it again inside
 * that time. Each event carries a unique id: an id already handled is a
 * replay (or a resend) and is acknowledged without acting on it again.
 *
 * Ids are remembered per dispatch process. With several dispatch replicas a
 * replay may reach one that has not seen the id; everything dispatch does
 * with an event is idempotent (one record per room and job, a room deleted
 * once, recovery bounded by the room's metadata), which covers that case.
 */

/** Longer than any webhook's signature stays valid. */
const REMEMBER_MS = 10 * 60_000;
/** A bound on memory under a flood of signed events. */
const MAX_IDS = 100_000;

export type HandledEvents = Readonly<{
  /** Whether `id` was already handled (and is still remembered). */
  handled: (id: string) => boolean;
  /** Marks `id` handled: call it only once the event was acted on, so a retry after a failure still acts. */
  remember: (id: string) => void;
}>;

/**
 * @example
 * const events = handledEvents();
 * if (events.handled(event.id)) return c.json({ status: 'duplicate' });
 * // ... act on the event ...
 * events.remember(event.id);
 */
export function handledEvents(
  opts: Readonly<{ rememberMs?: number; maxIds?: number; now?: () => number }> = {},
): HandledEvents {
  const rememberMs = opts.rememberMs ?? REMEMBER_MS;
  const maxIds = opts.maxIds ?? MAX_IDS;
  const now = opts.now ?? Date.now;
  // Insertion order is expiry order: the oldest entries are at the front.
  const expiries = new Map<string, number>();
  const prune = () => {
    const t = now();
    for (const [id, expiry] of expiries) {
      if (expiry > t && expiries.size <= maxIds) break;
      expiries.delete(id);
    }
  };
  return {
    handled: (id) => {
      prune();
      return expiries.has(id);
    },
    remember: (id) => {
      expiries.delete(id);
      expiries.set(id, now() + rememberMs);
      prune();
    },
  };
}
