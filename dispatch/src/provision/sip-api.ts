/**
 * The LiveKit SIP admin calls the reconciler makes. Wraps livekit-server-sdk's
 * SipClient, plus one direct Twirp call: the SDK cannot create a dispatch rule
 * with `numbers` (called-number match) in one request, and creating it
 * without them would briefly route every number to the new rule.
 */
import { CreateSIPDispatchRuleRequest, SIPDispatchRuleInfo } from '@livekit/protocol';
import { AccessToken, SipClient } from 'livekit-server-sdk';

export type LiveKitCredentials = Readonly<{ apiUrl: string; apiKey: string; apiSecret: string }>;

export class SipAdmin {
  readonly client: SipClient;
  readonly #creds: LiveKitCredentials;

  constructor(creds: LiveKitCredentials) {
    this.#creds = creds;
    this.client = new SipClient(creds.apiUrl, creds.apiKey, creds.apiSecret);
  }

  async createDispatchRule(rule: SIPDispatchRuleInfo): Promise<SIPDispatchRuleInfo> {
    const token = new AccessToken(this.#creds.apiKey, this.#creds.apiSecret, { ttl: 60 });
    token.addSIPGrant({ admin: true });
    const body = new CreateSIPDispatchRuleRequest({ dispatchRule: rule }).toJson();
    const res = await fetch(
      `${this.#creds.apiUrl.replace(/\/$/, '')}/twirp/livekit.SIP/CreateSIPDispatchRule`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await token.toJwt()}`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      },
    );
    const text = await res.text();
    if (!res.ok) throw new Error(`CreateSIPDispatchRule failed with HTTP ${res.status}: ${text}`);
    return SIPDispatchRuleInfo.fromJsonString(text, { ignoreUnknownFields: true });
  }
}
