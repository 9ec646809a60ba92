/**
 * The customer's data actions: typed HTTP lookups a persona may make (account
 * status, order status...). Each action declares its path and a zod schema for
 * the response, so a persona never sees unvalidated data, and the base URL and
 * token come from configuration, never from the caller.
 */
import { z } from 'zod';

export type DataAction<Params extends Record<string, string>, Result> = Readonly<{
  name: string;
  /** Path template with `{param}` placeholders, e.g. `/accounts/{accountId}/status`. */
  path: string;
  /**
   * `GET` (default) puts every parameter in the path. `POST` sends the
   * parameters the path does not use as a JSON body: secrets such as a PIN
   * never appear in a URL, where proxies and access logs would keep them.
   */
  method?: 'GET' | 'POST';
  params: z.ZodType<Params>;
  response: z.ZodType<Result>;
}>;

/** Why a lookup gave no data, in words the LLM can act on. */
export type LookupResult<Result> =
  | { readonly status: 'ok'; readonly data: Result }
  | { readonly status: 'not_found' }
  | { readonly status: 'unavailable'; readonly message: string };

export type DataActionClient = Readonly<{
  lookup: <P extends Record<string, string>, R>(
    action: DataAction<P, R>,
    params: P,
  ) => Promise<LookupResult<R>>;
}>;

/**
 * @example
 * const accountStatus = defineDataAction({
 *   name: 'account_status',
 *   path: '/accounts/{accountId}/status',
 *   params: z.object({ accountId: z.string().regex(/^\d{4,12}$/) }),
 *   response: z.object({ balance: z.number(), dueDate: z.string() }),
 * });
 */
export function defineDataAction<P extends Record<string, string>, R>(
  action: DataAction<P, R>,
): DataAction<P, R> {
  return Object.freeze({ ...action });
}

/**
 * @example
 * const data = createDataActionClient({ baseUrl: 'https://crm.example/api', token });
 * const result = await data.lookup(accountStatus, { accountId: '12345' });
 */
export function createDataActionClient(opts: {
  baseUrl: string | undefined;
  token: string | undefined;
  timeoutMs?: number;
}): DataActionClient {
  return {
    lookup: async (action, params) => {
      if (!opts.baseUrl)
        return { status: 'unavailable', message: 'data actions are not configured' };
      const checked = action.params.safeParse(params);
      if (!checked.success)
        return { status: 'unavailable', message: `invalid ${action.name} parameters` };
      const values: Record<string, string> = { ...(checked.data as Record<string, string>) };
      const path = action.path.replace(/\{(\w+)\}/g, (_, key: string) => {
        const value = values[key] ?? '';
        delete values[key];
        return encodeURIComponent(value);
      });
      const post = action.method === 'POST';
      let res: Response;
      try {
        res = await fetch(`${opts.baseUrl.replace(/\/$/, '')}${path}`, {
          method: post ? 'POST' : 'GET',
          headers: {
            accept: 'application/json',
            ...(post ? { 'content-type': 'application/json' } : {}),
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          },
          ...(post ? { body: JSON.stringify(values) } : {}),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 3000),
        });
      } catch (err) {
        return {
          status: 'unavailable',
          message: `${action.name} did not answer: ${(err as Error).name}`,
        };
      }
      if (res.status === 404) return { status: 'not_found' };
      if (!res.ok)
        return { status: 'unavailable', message: `${action.name} answered ${res.status}` };
      const body: unknown = await res.json().catch(() => undefined);
      const parsed = action.response.safeParse(body);
      return parsed.success
        ? { status: 'ok', data: parsed.data }
        : { status: 'unavailable', message: `${action.name} returned data of the wrong shape` };
    },
  };
}
