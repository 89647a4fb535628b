import { workerData } from "piscina";
import { type BackendName, selectBackend } from "../../../models/backend.js";

/**
 * The tfjs backend of this CPU-pool thread, loaded once. Its own module (not cpu-tasks.ts, the
 * thread's entry) so that the tasks can use it without importing the entry that imports them.
 */
let backendName: Promise<string> | null = null;

/** What the pool hands every thread (piscina workerData), from the validated config. */
export interface ThreadData {
  tfjsBackend?: BackendName;
}

/** Loads the tfjs backend once per thread (the one TFJS_BACKEND forces, else the fastest). */
export function threadBackend(): Promise<string> {
  const { tfjsBackend } = (workerData ?? {}) as ThreadData;
  backendName ??= selectBackend(tfjsBackend).then((b) => b.name);
  return backendName;
}
