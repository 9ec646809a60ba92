/**
 * The dispatch HTTP API. Health endpoints for now; the call and context API
 * grows here.
 */
import { Hono } from 'hono';

export type DispatchStatus = () => Readonly<{
  provisioned: boolean;
  lastError: string | undefined;
}>;

/**
 * @example
 * const app = createApp(() => ({ provisioned: true, lastError: undefined }));
 * await app.request('/readyz'); // 200
 */
export function createApp(status: DispatchStatus): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const s = status();
    return s.provisioned
      ? c.json({ status: 'ready' })
      : c.json({ status: 'not_ready', reason: s.lastError ?? 'provisioning' }, 503);
  });
  app.notFound((c) => c.json({ error: 'not_found' }, 404));
  app.onError((err, c) => {
    console.error(
      JSON.stringify({ level: 'error', msg: 'unhandled HTTP error', error: err.message }),
    );
    return c.json({ error: 'internal' }, 500);
  });
  return app;
}
