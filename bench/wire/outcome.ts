/**
 * How a call ended, from its SIP dialog on the wire, whether the agent was
 * heard at all, and the caller's own account (sipp's exit, where its script got).
 */
import type { HandoffReason } from '../../contracts/call-outcome.ts';
import type { CallerLog } from '../load/artifacts.ts';
import type { CallOutcome } from '../measurements.ts';
import type { CallSignalling } from './signalling.ts';

const NO_AGENT: HandoffReason = 'no_agent';

export type OutcomeInput = Readonly<{
  signalling: CallSignalling | undefined;
  caller: Pick<CallerLog, 'end' | 'sippExitCode' | 'failures'>;
  /** Whether any agent speech reached the caller. */
  agentSpoke: boolean;
  /** Wire end of the caller's last utterance; undefined when the script was not spoken through. */
  scriptEndMs: number | undefined;
}>;

/**
 * @example
 * const { outcome, warnings } = callOutcome({ signalling, caller, agentSpoke: true, scriptEndMs });
 */
export function callOutcome(input: OutcomeInput): { outcome: CallOutcome; warnings: string[] } {
  const { signalling: sip, caller, agentSpoke, scriptEndMs } = input;
  const lost = (why: string): { outcome: CallOutcome; warnings: string[] } => ({
    outcome: 'lost',
    warnings: [why],
  });
  if (!sip) return lost('no INVITE from the caller in the capture');
  if (sip.cancelledAtMs !== undefined) {
    if (sip.answeredAtMs === undefined || sip.cancelledAtMs < sip.answeredAtMs)
      return { outcome: 'abandoned', warnings: [] };
  }
  if (sip.answeredAtMs === undefined) {
    if (sip.finalStatus !== undefined && sip.finalStatus >= 300)
      return { outcome: 'refused', warnings: [] };
    return lost('never answered, and no final response to the INVITE');
  }
  const byeAfterRefer = (at: number | undefined): boolean =>
    at !== undefined && sip.referAtMs !== undefined && at >= sip.referAtMs;
  const released =
    sip.referAtMs !== undefined &&
    (byeAfterRefer(sip.bridgeByeAtMs) ||
      byeAfterRefer(sip.callerByeAtMs) ||
      caller.end === 'refer');
  if (released && sip.referReason === NO_AGENT) return { outcome: 'handed_on', warnings: [] };
  if (!agentSpoke) return lost('answered, but no agent speech reached the caller');
  if (released) return { outcome: 'transferred', warnings: [] };
  if (caller.sippExitCode !== 0 || caller.failures.length > 0 || caller.end === 'error')
    return lost(
      `sipp failed (exit ${caller.sippExitCode}${caller.failures.length > 0 ? `: ${caller.failures.join('; ')}` : ''})`,
    );
  const bridgeFirst =
    sip.bridgeByeAtMs !== undefined &&
    (sip.callerByeAtMs === undefined || sip.bridgeByeAtMs < sip.callerByeAtMs);
  if (bridgeFirst) {
    if (scriptEndMs === undefined || (sip.bridgeByeAtMs ?? 0) < scriptEndMs)
      return lost('the bridge hung up before the caller finished its script');
    return { outcome: 'completed', warnings: [] };
  }
  if (sip.callerByeAtMs !== undefined) return { outcome: 'completed', warnings: [] };
  if (caller.end === 'hangup')
    return {
      outcome: 'completed',
      warnings: ['no BYE in the capture; the caller log says it hung up'],
    };
  return lost('no BYE in the capture and the caller did not hang up');
}
