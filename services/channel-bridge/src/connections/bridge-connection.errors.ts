export class BridgeConnectionNotFoundError extends Error {
  constructor(readonly connectionId: string) {
    super(`Bridge connection ${connectionId} does not exist`);
    this.name = 'BridgeConnectionNotFoundError';
  }
}
