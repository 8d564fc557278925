/** A tiny GraphQL-over-HTTP client, as a frontend would call the gateway. */
export class GraphQLClient {
  token?: string;

  constructor(readonly url: string) {}

  async request<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const { body } = await this.raw(query, variables);
    if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data as T;
  }

  async raw(query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } }> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as never };
  }

  async login(email: string, password: string): Promise<void> {
    const data = await this.request<{ login: { accessToken: string } }>(
      `mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }`,
      { input: { email, password } },
    );
    this.token = data.login.accessToken;
  }
}
