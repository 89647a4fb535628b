import * as tf from "@tensorflow/tfjs";
import { z } from "zod";

/**
 * The one tfjs instance of the service. Everything imports tf from here, so that backends
 * registered by selectBackend (tfjs-node, wasm) live on the same engine as the tensors.
 */
export { tf };

/** The tfjs backends the service knows, fastest first (see DESIGN.md, Runtime). */
export const BackendName = z.enum(["tensorflow", "wasm", "cpu"]);
export type BackendName = z.infer<typeof BackendName>;

/** What selectBackend chose, and why the faster ones were passed over (returned, not logged). */
export interface BackendChoice {
  name: BackendName;
  tried: { name: BackendName; error: string }[];
}

/** A backend that was forced (e.g. TFJS_BACKEND) could not be loaded. */
export class BackendUnavailableError extends Error {
  override name = "BackendUnavailableError";
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 300);

/** One op whose answer we know: setBackend can report success for a backend that cannot compute. */
const smokeTest = (): void => {
  const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])));
  const values = sum.dataSync();
  sum.dispose();
  if (values[0] !== 4 || values[1] !== 6) throw new Error("backend smoke test returned wrong values");
};

const activate = async (name: BackendName): Promise<void> => {
  if (name === "tensorflow") {
    // Optional dependency whose install downloads libtensorflow; importing it throws when the
    // native addon is absent. It registers the "tensorflow" backend on the shared tfjs-core.
    await import("@tensorflow/tfjs-node" as string);
  } else if (name === "wasm") {
    // The Node build of the wasm backend locates tfjs-backend-wasm*.wasm next to its own file,
    // so no setWasmPaths is needed in Node or in worker_threads. Single-threaded in Node, SIMD.
    await import("@tensorflow/tfjs-backend-wasm");
  }
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") returned false`);
  await tf.ready();
  smokeTest();
};

const select = async (preferred: BackendName | undefined): Promise<BackendChoice> => {
  if (preferred) {
    try {
      await activate(preferred);
    } catch (e) {
      throw new BackendUnavailableError(`tfjs backend "${preferred}" is unavailable: ${message(e)}`);
    }
    return { name: preferred, tried: [] };
  }
  const tried: BackendChoice["tried"] = [];
  for (const name of BackendName.options) {
    try {
      await activate(name);
      return { name, tried };
    } catch (e) {
      tried.push({ name, error: message(e) });
    }
  }
  throw new BackendUnavailableError(`no tfjs backend works: ${tried.map((t) => `${t.name}: ${t.error}`).join("; ")}`);
};

let selected: { key: string; choice: Promise<BackendChoice> } | undefined;

/**
 * Picks the fastest working tfjs backend: tfjs-node ("tensorflow"), else wasm, else cpu; or
 * exactly `preferred` (throws BackendUnavailableError if it cannot load). Idempotent per thread:
 * repeated calls with the same preference reuse the first result, so every worker thread may
 * call it at start-up.
 */
export const selectBackend = (preferred?: BackendName): Promise<BackendChoice> => {
  const key = preferred ?? "auto";
  // An unforced call after any successful selection keeps what is there.
  if (selected && (selected.key === key || preferred === undefined)) return selected.choice;
  const choice = select(preferred);
  selected = { key, choice };
  choice.catch(() => {
    if (selected?.choice === choice) selected = undefined;
  });
  return choice;
};

/** The backend tfjs currently computes on (after selectBackend or a test's tf.setBackend). */
export const currentBackend = (): string => tf.getBackend();
