import { Readable, Transform, type TransformCallback } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { DomainError } from "../errors.js";

/** Content types a CSV upload may carry; the gzip ones are decompressed first. */
const CSV_TYPES = new Set(["text/csv", "application/csv", "text/plain"]);
const GZIP_TYPES = new Set(["application/gzip", "application/x-gzip"]);

export interface CsvBody {
  stream: Readable;
  gzip: boolean;
  /** Bytes after decoding, counted as they stream by (final once the stream has ended). */
  bytes(): number;
}

/**
 * The request body as a Node stream of CSV bytes, never buffered whole: the Node request (or the web
 * stream → Readable, outside @hono/node-server) →
 * gunzip when `Content-Encoding: gzip` or `Content-Type: application/gzip` → a byte counter that
 * fails the stream with a 413 DomainError past `limitBytes` (decoded bytes, so a gzip bomb stops
 * there too). Unsupported types or encodings are 415.
 */
export function csvRequestBody(request: Request, limitBytes: number, incoming?: Readable): CsvBody {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (!CSV_TYPES.has(type) && !GZIP_TYPES.has(type)) {
    throw new DomainError(
      "unsupported_media_type",
      `send the CSV as text/csv (or application/gzip, or text/csv with Content-Encoding: gzip), not "${type || "no content type"}"`,
    );
  }
  if (encoding !== "identity" && encoding !== "gzip" && encoding !== "x-gzip") {
    throw new DomainError("unsupported_media_type", `Content-Encoding "${encoding}" is not supported; use gzip or none`);
  }
  // Node 20's Readable.toWeb, which @hono/node-server uses for Request.body, counts its high-water
  // mark (16,384) in chunks, not bytes, so a fast client could park a whole upload in memory. The
  // server's own IncomingMessage keeps TCP backpressure: read it when nothing has started reading it.
  const source = incoming && incoming.readableFlowing === null && !incoming.readableEnded ? incoming : null;
  if (!source && !request.body) throw new DomainError("invalid", "the request has no body: send the CSV");
  const layers = (encoding === "identity" ? 0 : 1) + (GZIP_TYPES.has(type) ? 1 : 0);
  const counter = new ByteLimit(limitBytes);
  // pipe() does not forward errors: a broken gzip stream or a dropped connection ends the counter too.
  const stages: Readable[] = [source ?? Readable.fromWeb(request.body as unknown as WebReadableStream)];
  for (let i = 0; i < layers; i += 1) stages.push(stages[stages.length - 1].pipe(createGunzip()));
  for (const stage of stages) stage.on("error", (error) => counter.destroy(asDomainError(error)));
  // The reader sees the error through its iterator; this listener only keeps a late second emission
  // (after the reader stopped) from being unhandled, and stops feeding the counter.
  counter.on("error", () => stages[stages.length - 1].unpipe(counter));
  return { stream: stages[stages.length - 1].pipe(counter), gzip: layers > 0, bytes: () => counter.seen };
}

class ByteLimit extends Transform {
  seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      callback(new DomainError("payload_too_large", `CSV imports are limited to ${this.limit} bytes (after decompression)`));
      return;
    }
    callback(null, chunk);
  }
}

function asDomainError(error: Error): Error {
  if (error instanceof DomainError) return error;
  if ((error as NodeJS.ErrnoException).code?.startsWith("Z_")) {
    return new DomainError("invalid", `the gzip body could not be decompressed: ${error.message}`);
  }
  return error;
}
