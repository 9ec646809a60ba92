/**
 * The pacing loop of caller media: every 20 ms packet time, on an absolute
 * schedule, each call sends its packet (late slots are caught up; past half
 * a second behind they are skipped and the RTP clock jumps, which the call's
 * report counts). Shared by the benchmark's media process and the real-stack
 * tests' reactive callers.
 */
import { performance } from 'node:perf_hooks';
import type { MediaCall } from './media-call.ts';
import { PACKET_MS } from './rtp.ts';

/** Slots caught up in one go when the loop runs late; beyond, slots are skipped. */
const MAX_CATCH_UP_SLOTS = 25;

/**
 * Starts the loop; `everySlot` runs after each slot's packets (e.g. to poll
 * for answers). Returns a function that stops it.
 *
 * @example
 * const stop = paceCalls(() => calls.values(), (slot) => { if (slot % 5 === 0) pollAnswers(); });
 */
export function paceCalls(
  calls: () => Iterable<MediaCall>,
  everySlot: (slot: number) => void = () => {},
): () => void {
  const startedAt = performance.now();
  let slot = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    const due = Math.floor((performance.now() - startedAt) / PACKET_MS);
    const behind = due - slot;
    if (behind > MAX_CATCH_UP_SLOTS) {
      const skipped = behind - MAX_CATCH_UP_SLOTS;
      for (const call of calls()) call.skip(skipped);
      slot += skipped;
    }
    for (; slot <= due; slot++) {
      const lagMs = performance.now() - (startedAt + slot * PACKET_MS);
      const nowMs = Date.now();
      for (const call of calls()) call.tick(nowMs, lagMs);
      everySlot(slot);
    }
    timer = setTimeout(loop, Math.max(0, startedAt + slot * PACKET_MS - performance.now()));
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
