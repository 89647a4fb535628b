import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { TaskInput, TaskName, TaskOutput, ThreadData } from "./cpu-tasks.js";

/**
 * The CPU pool of a worker process: encode, train, predict and explain run in worker threads, so
 * the main thread stays free to renew BullMQ job locks (a blocked event loop makes jobs stall and
 * run twice, DESIGN.md pitfalls) and to do all database I/O (PGlite lives in one thread only).
 * Only plain data and typed arrays cross the thread boundary.
 */
export interface CpuPool {
  run<K extends TaskName>(name: K, input: TaskInput<K>, transferList?: ArrayBuffer[]): Promise<TaskOutput<K>>;
  readonly threads: number;
  /** Resolves once every thread has loaded its tfjs backend (a cold thread spends ~1 s on it). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

const runningFromSource = fileURLToPath(import.meta.url).endsWith(".ts");

export function createCpuPool(opts: { threads: number; tfjsBackend?: ThreadData["tfjsBackend"] }): CpuPool {
  const piscina = new Piscina({
    filename: new URL(runningFromSource ? "./cpu-tasks.from-source.mjs" : "./cpu-tasks.js", import.meta.url).href,
    minThreads: opts.threads,
    maxThreads: opts.threads,
    workerData: { tfjsBackend: opts.tfjsBackend } satisfies ThreadData,
    // An idle thread keeps its loaded tfjs backend and model cache instead of starting cold.
    idleTimeout: Number.POSITIVE_INFINITY,
    // A score chunk parses ~6 MB of JSON into objects that live through encode, predict and
    // explain; in V8's default 16 MB semi-space they were copied by scavenge after scavenge.
    // 32 MB semi-spaces (young generation 96 MB) cut a 10,000-file chunk's CPU time from
    // 130-230 ms to 90-100 ms (measured with the scoring task alone, same machine, same load).
    resourceLimits: { maxYoungGenerationSizeMb: 96 },
  });
  return {
    threads: opts.threads,
    run: (task, input, transferList) => piscina.run({ task, input }, { transferList: transferList as never }),
    // One task per thread at once: each idle thread takes one (a thread runs one task at a time).
    warm: async () => {
      await Promise.all(Array.from({ length: opts.threads }, () => piscina.run({ task: "probeBackend", input: { size: 8 } })));
    },
    close: () => piscina.destroy(),
  };
}
