import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BackendUnavailableError, selectBackend, tf } from "../../../models/backend.js";

const runWorker = (preferred?: string) =>
  new Promise<{ name: string; backend: string; values: number[] }>((resolve, reject) => {
    // tsx's API registers the TypeScript loader inside the worker (execArgv --import tsx does not
    // reach worker threads on Node 20); production workers run compiled JavaScript instead.
    const entry = fileURLToPath(new URL("./fixtures/backend-worker.ts", import.meta.url));
    const code = `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
    const worker = new Worker(code, { eval: true, workerData: { preferred } });
    worker.once("message", (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", reject);
  });

describe("selectBackend", () => {
  it("falls back past a missing tfjs-node and reports why", async () => {
    const choice = await selectBackend();
    expect(["tensorflow", "wasm", "cpu"]).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name);
    if (choice.name !== "tensorflow") expect(choice.tried[0]?.name).toBe("tensorflow");
  });

  it("is idempotent: a second call returns the same choice", async () => {
    const a = await selectBackend();
    const b = await selectBackend();
    expect(b).toBe(a);
  });

  it("loads wasm when forced and computes correctly", async () => {
    const choice = await selectBackend("wasm");
    expect(choice.name).toBe("wasm");
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([3, 4], [2, 1])));
    expect(Array.from(y.dataSync())).toEqual([11]);
    y.dispose();
  });

  it("switches to cpu when forced", async () => {
    expect((await selectBackend("cpu")).name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    await selectBackend("wasm");
  });

  it("rejects a forced backend that cannot load", async () => {
    let native = true;
    try {
      await import("@tensorflow/tfjs-node" as string);
    } catch {
      native = false;
    }
    if (native) return;
    await expect(selectBackend("tensorflow")).rejects.toBeInstanceOf(BackendUnavailableError);
    await selectBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });

  it("works inside a worker_threads Worker with wasm", async () => {
    const result = await runWorker("wasm");
    expect(result).toEqual({ name: "wasm", backend: "wasm", values: [1, 2, 3, 4] });
  });

  it("works inside a worker_threads Worker with automatic choice", async () => {
    const result = await runWorker();
    expect(["tensorflow", "wasm"]).toContain(result.name);
    expect(result.values).toEqual([1, 2, 3, 4]);
  });
});
