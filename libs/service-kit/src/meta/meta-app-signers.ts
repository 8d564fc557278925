import { verifyHubSignature } from '../webhooks/hub-signature';

/**
 * Which connections a Meta webhook (WhatsApp Cloud API, Messenger, Instagram) comes from: Meta signs each body
 * with the secret of the app whose callback it is, and one app serves many numbers or Pages, so a body vouches
 * only for the connections of the app whose secret matches. The receiving connections and their opened app
 * secrets are remembered for `ttlMs`: busy apps send many webhooks a second, and a connect or disconnect takes
 * effect within that.
 */
export class MetaAppSigners<R> {
  private cache?: { connections: { record: R; appSecret: string }[]; expiresAt: number };

  constructor(
    private readonly source: { listReceiving(): Promise<R[]>; appSecretOf(record: R): string },
    private readonly ttlMs = 2_000,
  ) {}

  /** The connections whose app secret signed `raw` (X-Hub-Signature-256); empty for a forged or unsigned body. */
  async signersOf(raw: Buffer, signature: string | undefined): Promise<R[]> {
    return (await this.connections()).filter((c) => verifyHubSignature(raw, signature, c.appSecret)).map((c) => c.record);
  }

  private async connections(): Promise<{ record: R; appSecret: string }[]> {
    if (this.cache && this.cache.expiresAt > Date.now()) return this.cache.connections;
    const records = await this.source.listReceiving();
    const connections = records.map((record) => ({ record, appSecret: this.source.appSecretOf(record) }));
    this.cache = { connections, expiresAt: Date.now() + this.ttlMs };
    return connections;
  }
}
