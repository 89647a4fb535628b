/** A field or CSV line at fault, as reported in a problem's `errors[]`. */
export interface FieldError {
  path: string;
  message: string;
  line?: number;
  column?: string;
}

export type DomainErrorCode =
  | "invalid"
  | "malformed"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unavailable";

/**
 * The one error that queries, services and processors throw for an expected failure; the API maps
 * `code` to an HTTP status (services/api/problem.ts), so storage code knows nothing of HTTP.
 */
export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError("not_found", `${what} was not found`);
export const conflict = (message: string, extra?: Record<string, unknown>) =>
  new DomainError("conflict", message, undefined, extra);
export const forbidden = (message: string) => new DomainError("forbidden", message);
export const invalid = (message: string, errors?: FieldError[]) => new DomainError("invalid", message, errors);
