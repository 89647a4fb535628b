import pino from "pino";

/** JSON logs on stdout (pino); one logger per process, children per component. */
export function createLogger(level: string, base: Record<string, unknown> = {}) {
  return pino({ level, base: { service: "cts", ...base }, timestamp: pino.stdTimeFunctions.isoTime });
}
export type Logger = pino.Logger;
