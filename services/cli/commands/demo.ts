import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { MAX_FILES } from "../../../data/demo/generate.js";
import { writeDemoPopulation } from "../../../data/demo/write-csv.js";
import { printJson } from "../context.js";

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("not an integer");
  return n;
};

/** `demo generate`: writes the seeded demo population (files, outcomes, truth CSVs and schema.json). */
export function register(program: Command) {
  program
    .command("demo")
    .description("the seeded demo population")
    .command("generate")
    .description("write files.csv, outcomes.csv, truth.csv and schema.json to a folder")
    .requiredOption("--files <n>", `number of files (0..${MAX_FILES})`, integer)
    .option("--seed <n>", "seed (the same seed gives the same population)", integer, 1)
    .requiredOption("--out <dir>", "output folder (created if needed)")
    .action(async (opts: { files: number; seed: number; out: string }) => {
      const started = Date.now();
      const result = await writeDemoPopulation(resolve(opts.out), {
        files: opts.files,
        seed: opts.seed,
        progressEvery: 100_000,
        onProgress: (n) => process.stderr.write(`\r${n} files`),
      });
      process.stderr.write("\n");
      printJson({ ...result, seed: opts.seed, seconds: (Date.now() - started) / 1000 });
    });
}
