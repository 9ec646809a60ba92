/**
 * Where the setup script put the LiveKit binaries (.tools/livekit/<name>-<version>/),
 * with versions read from scripts/versions.sh so they are pinned in one place.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function pinned(name: string): string {
  const text = readFileSync(join(REPO_ROOT, 'scripts/versions.sh'), 'utf8');
  const m = new RegExp(`^${name}=(\\S+)`, 'm').exec(text);
  if (!m?.[1]) throw new Error(`scripts/versions.sh does not pin ${name}`);
  return m[1];
}

export type StackTools = Readonly<{ livekitServer: string; livekitSip: string }>;

export function stackTools(): StackTools {
  const tools = {
    livekitServer: join(
      REPO_ROOT,
      '.tools/livekit',
      `server-${pinned('LIVEKIT_SERVER_VERSION')}`,
      'livekit-server',
    ),
    livekitSip: join(
      REPO_ROOT,
      '.tools/livekit',
      `sip-${pinned('LIVEKIT_SIP_VERSION')}`,
      'livekit-sip',
    ),
  };
  for (const path of Object.values(tools)) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/setup.sh first`);
  }
  return Object.freeze(tools);
}
