/**
 * `make up`: runs the whole stack on the standard local ports with prefixed
 * logs until Ctrl-C, then stops every component cleanly.
 */
import { startStack } from '../test/harness/stack.ts';

const stack = await startStack({ slot: 0, name: 'local', echo: true });
const p = stack.ports;
console.log(`
  Local stack is up (logs and configs in ${stack.runDir})
    livekit-server  ${stack.livekit.wsUrl}   key ${stack.livekit.apiKey}
    livekit-sip     sip:127.0.0.1:${p.sip} (UDP/TCP)  <- point a Genesys BYOC trunk / sipp here
    dispatch        http://127.0.0.1:${p.dispatch}/readyz
    agent worker    http://127.0.0.1:${p.agentHealth}/worker
  Ctrl-C stops everything.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the stack...');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
