/** Meta rejected the credentials or ids while connecting (bad token, unknown number, number not in the WABA). */
export class WhatsAppCredentialsRejectedError extends Error {
  constructor(
    message: string,
    readonly field: 'accessToken' | 'phoneNumberId' | 'wabaId',
  ) {
    super(message);
    this.name = 'WhatsAppCredentialsRejectedError';
  }
}

export class WhatsAppConnectionNotFoundError extends Error {
  constructor(readonly connectionId: string) {
    super(`WhatsApp connection ${connectionId} does not exist`);
    this.name = 'WhatsAppConnectionNotFoundError';
  }
}
