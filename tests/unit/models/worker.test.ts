import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModel, selectBackend } from "../../../models/index.js";
import { syntheticTask } from "./fixtures/synthetic.js";

describe("models in a worker_threads Worker", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("trains, serialises, predicts and explains off the main thread with transferred arrays", async () => {
    const task = syntheticTask({ rows: 2000, valRows: 500, seed: 17 });
    const entry = fileURLToPath(new URL("./fixtures/pipeline-worker.ts", import.meta.url));
    // tsx's API loads the TypeScript entry inside the worker (see backend.test.ts).
    const code = `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
    const X = task.X.slice();
    const result = await new Promise<{ backend: string; scores: Float32Array; attribute: Int16Array; bytes: Uint8Array }>(
      (resolve, reject) => {
        const worker = new Worker(code, {
          eval: true,
          workerData: { X, y: task.y, valX: task.valX, valY: task.valY, nCols: task.nCols, encoder: task.encoder },
          transferList: [X.buffer],
        });
        worker.once("message", (m) => {
          resolve(m);
          void worker.terminate();
        });
        worker.once("error", reject);
      },
    );
    expect(X.length).toBe(0);
    expect(result.backend).toBe("wasm");
    expect(result.scores).toBeInstanceOf(Float32Array);
    expect(result.scores).toHaveLength(500);
    expect(result.attribute).toHaveLength(500 * 5);
    const here = loadModel(result.bytes).predict(task.valX, 500);
    for (let i = 0; i < 500; i++) expect(Math.abs(here[i] - result.scores[i])).toBeLessThan(1e-6);
  });
});
