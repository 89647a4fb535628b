import { describe, expect, it } from "vitest";
import { uploadProgressLine } from "../../../services/cli/commands/import.js";
import { progressLine } from "../../../services/cli/commands/models.js";
import { scoreProgressLine } from "../../../services/cli/commands/score.js";
import { progressBar } from "../../../services/cli/progress.js";

describe("CLI progress", () => {
  it("fills the bar in proportion, within its width", () => {
    expect(progressBar(0, 10)).toBe("[..........]");
    expect(progressBar(0.42, 10)).toBe("[####......]");
    expect(progressBar(1, 10)).toBe("[##########]");
    expect(progressBar(1.5, 10)).toBe("[##########]");
  });

  it("shows an upload's share, size, pace and time left", () => {
    // 40 of 160 MB in 4 s: 10 MB/s, 12 s to go.
    expect(uploadProgressLine(40e6, 160e6, 4)).toBe("uploading [########......................] 25% 40/160 MB, 10.0 MB/s, ETA 12s");
  });

  it("counts a file under a megabyte in kilobytes", () => {
    expect(uploadProgressLine(300e3, 600e3, 1)).toBe("uploading [###############...............] 50% 300/600 kB, 0.3 MB/s, ETA 1s");
    expect(uploadProgressLine(81_400, 81_400, 0.2)).toBe("uploaded 81 kB in 0s; the service is writing the last rows and committing");
  });

  it("says what it waits for once the whole file is sent", () => {
    expect(uploadProgressLine(160e6, 160e6, 16.4)).toBe("uploaded 160 MB in 16s; the service is writing the last rows and committing");
  });

  it("shows a scoring run's files, chunks, pace and time left", () => {
    const run = { id: "r", status: "running", totalFiles: 200, totalChunks: 4, error: null };
    expect(scoreProgressLine({ ...run, progress: { chunksDone: 1, filesDone: 50, filesPerSecond: 25, etaSeconds: 6 } })).toBe(
      "running   [########......................] 50/200 files, chunk 1/4, 25 files/s ETA 6s",
    );
    expect(scoreProgressLine(run)).toBe("running   [..............................] 0/200 files, chunk 0/4, 0 files/s");
  });

  it("shows a training's epochs and latest figures", () => {
    const model = { id: "m", status: "training", error: null };
    expect(progressLine({ ...model, progress: { phase: "fitting", epoch: 3, maxEpochs: 10, loss: 0.25, valPrAuc: 0.4, valAucRoc: 0.7 } })).toBe(
      "training fitting    [#########.....................] epoch 3/10 loss 0.250 val PR-AUC 0.400 ROC-AUC 0.700",
    );
  });
});
