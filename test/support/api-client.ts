/** A small HTTP client for the config API in tests: basic auth, forms (multipart or urlencoded), JSON answers. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export type FormFields = Record<string, string | string[]>;

export interface CallOptions {
  key?: string | null;
  form?: FormFields;
  encoding?: 'multipart' | 'urlencoded';
  headers?: Record<string, string>;
  rawBody?: string;
}

export const basicAuth = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;

export class ApiClient {
  constructor(
    readonly base: string,
    readonly key: string | null = null,
  ) {}

  as(key: string | null): ApiClient {
    return new ApiClient(this.base, key);
  }

  async call(method: string, path: string, opts: CallOptions = {}): Promise<ApiAnswer> {
    const key = opts.key === undefined ? this.key : opts.key;
    const headers: Record<string, string> = { ...opts.headers };
    if (key !== null) headers.authorization = basicAuth(key);
    let body: string | URLSearchParams | FormData | undefined = opts.rawBody;
    if (opts.form) {
      if (opts.encoding === 'urlencoded') {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(opts.form)) for (const x of [v].flat()) params.append(k, x);
        body = params;
      } else {
        const form = new FormData();
        for (const [k, v] of Object.entries(opts.form)) for (const x of [v].flat()) form.append(k, x);
        body = form;
      }
    }
    const res = await fetch(`${this.base}${path}`, { method, headers, body });
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { raw: text };
    }
    return { status: res.status, body: json, headers: res.headers };
  }
}
