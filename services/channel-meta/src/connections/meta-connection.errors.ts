/** Meta rejected the credentials or ids while connecting (bad token, unknown Page, Instagram account not linked). */
export class MetaCredentialsRejectedError extends Error {
  constructor(
    message: string,
    readonly field: 'accessToken' | 'pageId' | 'instagramAccountId',
  ) {
    super(message);
    this.name = 'MetaCredentialsRejectedError';
  }
}

export class MetaConnectionNotFoundError extends Error {
  constructor(readonly connectionId: string) {
    super(`Meta Page connection ${connectionId} does not exist`);
    this.name = 'MetaConnectionNotFoundError';
  }
}
