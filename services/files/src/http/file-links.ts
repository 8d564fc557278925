/** Paths of the files service's link endpoints; the links themselves carry a signed token. */
export const UPLOAD_PATH = '/files/uploads';
export const downloadPath = (fileId: string) => `/files/${fileId}/content`;
/** An image's thumbnail; the file's download token opens it too. */
export const thumbnailPath = (fileId: string) => `/files/${fileId}/thumbnail`;

/** Where clients reach the files service; set once the service listens when FILES_PUBLIC_URL is not given. */
export class PublicBaseUrl {
  private value: string | undefined;

  constructor(configured: string | undefined) {
    this.value = configured?.replace(/\/+$/, '');
  }

  setDefault(url: string): void {
    this.value ??= url.replace(/\/+$/, '');
  }

  link(path: string, query: Record<string, string>): string {
    if (!this.value) throw new Error('The files service has no public URL yet (it is not listening)');
    const url = new URL(`${this.value}${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url.toString();
  }
}
