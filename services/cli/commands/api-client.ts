import { createReadStream } from "node:fs";
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
  body?: { json: unknown } | { file: string; contentType: string; gzip: boolean },
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
    payload = Readable.toWeb(createReadStream(body.file, { highWaterMark: 256 * 1024 })) as unknown as ReadableStream;
  }
  const res = await fetch(new URL(path, target.url ?? config.CTS_URL), { method, headers, body: payload, duplex: "half" } as RequestInit);
  const text = await res.text();
  if (!res.ok) {
    process.stderr.write(`${text}\n`);
    process.exitCode = 1;
    return null;
  }
  return text ? JSON.parse(text) : null;
}

export const apiOptions = (description = "the service's base URL (default CTS_URL)") =>
  [
    ["--url <url>", description],
    ["--key <key>", "an API key (default CTS_API_KEY)"],
  ] as const;
