import { threadId } from "node:worker_threads";
import { tf } from "../../models/backend.js";
import type { ProbeBackendPayload, ProbeBackendResult } from "../../jobs/diagnostics.js";
import { train } from "./tasks/train.js";
import { scoreChunk, scoreModelInputs } from "./tasks/score.js";
import { threadBackend } from "./tasks/thread-backend.js";

export type { ThreadData } from "./tasks/thread-backend.js";

/**
 * The entry of every CPU-pool thread: one exported function per task, each taking plain data or
 * typed arrays and returning the same. No database, no Redis: the calling processor does the I/O.
 */
/** probe-backend: a small matmul on this thread's backend. */
export async function probeBackend(payload: ProbeBackendPayload): Promise<ProbeBackendResult> {
  const backend = await threadBackend();
  const started = performance.now();
  const checksum = tf.tidy(() => {
    const a = tf.ones([payload.size, payload.size]);
    return tf.matMul(a, a).sum().dataSync()[0];
  });
  return { backend, checksum, millis: performance.now() - started, threadId };
}

/** Every task a CPU thread runs, by name. */
const TASKS = { probeBackend, train, scoreChunk, scoreModelInputs };

export type TaskName = keyof typeof TASKS;
export type TaskInput<K extends TaskName> = Parameters<(typeof TASKS)[K]>[0];
export type TaskOutput<K extends TaskName> = Awaited<ReturnType<(typeof TASKS)[K]>>;

/** Piscina calls the default export with { task, input }. */
export default function runTask<K extends TaskName>({ task, input }: { task: K; input: TaskInput<K> }) {
  return (TASKS[task] as (input: TaskInput<K>) => Promise<TaskOutput<K>>)(input);
}
