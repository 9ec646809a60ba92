import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stackPorts } from '../../test/harness/ports.ts';
import { CALLER_PORTS, MAX_CALLERS } from './run-callers.ts';

/** Every port the callers of a full run bind: SIP, RTP, and sipp's echo pair. */
function callerPorts(): number[] {
  const ports: number[] = [];
  for (let i = 0; i < MAX_CALLERS; i++)
    ports.push(
      CALLER_PORTS.sip + i,
      CALLER_PORTS.media + 2 * i,
      CALLER_PORTS.sippMedia + 4 * i,
      CALLER_PORTS.sippMedia + 4 * i + 2,
    );
  return ports;
}

/** Every port a stack slot uses, ranges expanded. */
function stackSlotPorts(): Set<number> {
  const used = new Set<number>();
  for (let slot = 0; slot <= 9; slot++)
    for (const value of Object.values(stackPorts(slot))) {
      if (typeof value === 'number') used.add(value);
      else for (let p = value[0]; p <= value[1]; p++) used.add(p);
    }
  return used;
}

describe('caller ports', () => {
  it('no two callers of a full run bind the same port', () => {
    const ports = callerPorts();
    expect(new Set(ports).size).toBe(ports.length);
  });

  it("clash with no stack slot's ports", () => {
    const used = stackSlotPorts();
    expect(callerPorts().filter((p) => used.has(p))).toEqual([]);
  });

  it("lie below this machine's ephemeral range, where the kernel numbers sockets itself", () => {
    const range = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const low = Number(range.trim().split(/\s+/)[0]);
    expect(low).toBeGreaterThan(1024);
    expect(Math.max(...callerPorts())).toBeLessThan(low);
  });
});
