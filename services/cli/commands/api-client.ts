import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";
import { loadConfig } from "../../config.js";

/** Where and as whom the CLI calls the HTTP API: --url/--key, else CTS_URL/CTS_API_KEY. */
export interface ApiTarget {
  url?: string;
  key?: string;
}

/**
 * Calls the service's HTTP API, so that imports are authorized, validated and audited exactly as
 * for any client. Returns the JSON answer; a problem answer goes to stderr and sets exit code 1.
 */
export async function callApi(
  target: ApiTarget,
  method: string,
  path: string,
  body?: { json: unknown } | FileBody,
): Promise<unknown> {
  const config = loadConfig();
  const key = target.key ?? config.CTS_API_KEY;
  if (!key) throw new Error("set CTS_API_KEY (a data officer key) or pass --key");
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  let payload: RequestInit["body"];
  if (body && "json" in body) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body.json);
  } else if (body) {
    headers["content-type"] = body.contentType;
    if (body.gzip) headers["content-encoding"] = "gzip";
    payload = Readable.toWeb(fileBody(body.file, body.onSent)) as unknown as ReadableStream;
  }
  const url = new URL(path, target.url ?? config.CTS_URL);
  const res = await fetchService(url, { method, headers, body: payload, duplex: "half" } as RequestInit);
  if (body && "file" in body) body.onAnswer?.();
  const text = await res.text();
  if (!res.ok) {
    process.stderr.write(`${text}\n`);
    process.exitCode = 1;
    return null;
  }
  return text ? JSON.parse(text) : null;
}

/** Told the bytes of a file body sent so far, and the file's size. */
export type UploadProgress = (sent: number, total: number) => void;

/** A file sent as the request body (an import). */
interface FileBody {
  file: string;
  contentType: string;
  gzip: boolean;
  onSent?: UploadProgress;
  /** Called once the service has answered, before a problem answer is written to stderr. */
  onAnswer?: () => void;
}

/**
 * A file as a request body. The body is read as the request sends it (fetch pulls it, and the
 * service reads an import as it goes), so the bytes read are the upload's progress.
 */
function fileBody(path: string, onSent?: UploadProgress): Readable {
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (!onSent) return file;
  const total = statSync(path).size;
  async function* counted() {
    let sent = 0;
    for await (const chunk of file) {
      sent += (chunk as Buffer).length;
      onSent?.(sent, total);
      yield chunk as Buffer;
    }
  }
  return Readable.from(counted(), { objectMode: false });
}

export const apiOptions = (description = "the service's base URL (default CTS_URL)") =>
  [
    ["--url <url>", description],
    ["--key <key>", "an API key (default CTS_API_KEY)"],
  ] as const;

/** fetch, with an error that names the URL and what to try when the service cannot be reached. */
export function fetchService(url: URL, init: RequestInit): Promise<Response> {
  return fetch(url, init).catch((error: Error) => {
    throw new Error(unreachable(url, error));
  });
}

/** What to say when the service cannot be reached: the URL, the cause, and what to try. */
export function unreachable(url: URL, error: Error): string {
  const cause = (error.cause as NodeJS.ErrnoException | undefined)?.code ?? (error.cause as Error | undefined)?.message ?? error.message;
  return (
    `cannot reach the service at ${url.origin} (${cause}) for ${url.pathname}: ` +
    "is it running (`npm start`)? Set CTS_URL, or pass --url, to the address it prints as \"api listening\"."
  );
}
