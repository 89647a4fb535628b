import { z } from "zod";
import { tf } from "./backend.js";
import { mulberry32 } from "./prng.js";

/**
 * A multilayer perceptron held as plain weight arrays, not a tf.LayersModel: the training loop
 * owns every random draw (init, shuffle, dropout masks), the artifact is a JSON header plus
 * float32 weights, and explanations differentiate the same forward function. With zero hidden
 * layers the network is logistic regression (the baseline reuses it).
 */
export const MlpSpec = z.object({
  inputDim: z.number().int().positive(),
  hidden: z.array(z.number().int().positive()),
  activation: z.enum(["relu", "elu", "tanh"]),
});
export type MlpSpec = z.infer<typeof MlpSpec>;

/** Weights as typed arrays; kernels[l] is row-major [fanIn, fanOut], the last layer has fanOut 1. */
export interface NetworkWeights {
  spec: MlpSpec;
  kernels: Float32Array[];
  biases: Float32Array[];
}

/** The same weights as tensors on the current backend (variables while training). */
export interface NetworkTensors {
  spec: MlpSpec;
  kernels: tf.Tensor2D[];
  biases: tf.Tensor1D[];
}

/** [fanIn, fanOut] of every layer, output layer last. */
export const layerShapes = (spec: MlpSpec): [number, number][] => {
  const sizes = [spec.inputDim, ...spec.hidden, 1];
  return sizes.slice(1).map((out, l) => [sizes[l], out]);
};

/** Number of trainable parameters (weights and biases). */
export const countParameters = (spec: MlpSpec): number =>
  layerShapes(spec).reduce((sum, [i, o]) => sum + i * o + o, 0);

/**
 * Seeded initial weights: He-uniform (limit √(6/fanIn)) for relu/elu layers, Glorot-uniform
 * (√(6/(fanIn+fanOut))) for tanh layers and the output layer; zero biases. All draws come from
 * one mulberry32 stream in layer order, so the seed alone fixes the starting point.
 */
export const initNetwork = (spec: MlpSpec, seed: number): NetworkWeights => {
  const rand = mulberry32(seed);
  const shapes = layerShapes(spec);
  const kernels = shapes.map(([fanIn, fanOut], l) => {
    const isOutput = l === shapes.length - 1;
    const limit =
      isOutput || spec.activation === "tanh" ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (rand() * 2 - 1) * limit;
    return w;
  });
  return { spec, kernels, biases: shapes.map(([, fanOut]) => new Float32Array(fanOut)) };
};

/** Uploads weights to the current backend; `trainable` makes tf.Variables for the optimizer. */
export const toTensors = (weights: NetworkWeights, trainable = false): NetworkTensors => {
  const shapes = layerShapes(weights.spec);
  const wrap = <T extends tf.Tensor>(t: T): T => (trainable ? (tf.variable(t) as unknown as T) : t);
  const kernels = shapes.map(([i, o], l) => {
    const t = tf.tensor2d(weights.kernels[l], [i, o]);
    const v = wrap(t);
    if (v !== t) t.dispose();
    return v;
  });
  const biases = shapes.map(([, o], l) => {
    const t = tf.tensor1d(weights.biases[l]);
    const v = wrap(t);
    if (v !== t) t.dispose();
    return v;
  });
  return { spec: weights.spec, kernels, biases };
};

/** Copies tensors back to typed arrays (e.g. the best epoch's weights, or for the artifact). */
export const readWeights = (net: NetworkTensors): NetworkWeights => ({
  spec: net.spec,
  kernels: net.kernels.map((k) => k.dataSync().slice() as Float32Array),
  biases: net.biases.map((b) => b.dataSync().slice() as Float32Array),
});

/** Frees the tensors of a network. */
export const disposeNetwork = (net: NetworkTensors): void => {
  for (const t of [...net.kernels, ...net.biases]) t.dispose();
};

const linear = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D => tf.add(tf.matMul(x, w), b);
/** ∂/∂x of x·W + b applied to dy, i.e. dy·Wᵀ. */
const gradInput = (dy: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D => tf.matMul(dy, tf.transpose(w));
/** ∂/∂W of x·W + b applied to dy, i.e. xᵀ·dy. */
const gradKernel = (dy: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D => tf.matMul(tf.transpose(x), dy);

/**
 * x·W + b with hand-written gradients that transpose explicitly. tfjs-wasm runs matMul with
 * transposeA/transposeB flags through a slow generic path (measured here: 8.4 ms against 1.8 ms
 * for transpose + plain matMul at 1024 × 83 × 64), and tf.grad of matMul uses those flags.
 * Three variants so that no gradient is computed that nobody reads: every input (hidden layers
 * in training), weights only (first layer in training: the data needs no gradient), input only
 * (explanations: the weights are constants).
 */
const denseAll = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: linear(x, w, b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [gradInput(g, ws), gradKernel(g, xs), tf.sum(g, 0)];
    },
  };
}) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

const denseWeightsOnly = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D =>
  (
    tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [wi, bi] = args as [tf.Tensor2D, tf.Tensor1D];
      return {
        value: linear(x, wi, bi),
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [gradKernel(dy as tf.Tensor2D, x), tf.sum(dy as tf.Tensor2D, 0)],
      };
    }) as unknown as (w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D
  )(w, b);

const denseInputOnly = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D =>
  (
    tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [xi] = args as [tf.Tensor2D];
      return { value: linear(xi, w, b), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [gradInput(dy as tf.Tensor2D, w)] };
    }) as unknown as (x: tf.Tensor2D) => tf.Tensor2D
  )(x);

const activate = (h: tf.Tensor2D, activation: MlpSpec["activation"]): tf.Tensor2D =>
  activation === "relu" ? tf.relu(h) : activation === "elu" ? tf.elu(h) : tf.tanh(h);

/** What a forward pass will be differentiated with respect to. */
export type GradTarget = "weights" | "input";

/**
 * The network's logits, shape [batch]. `masks` are the dropout masks of the hidden layers
 * (already scaled by 1/(1−rate)); omit them for inference. `gradTarget` picks the gradient
 * that tf.grad/minimize will ask for: "weights" (training, the default) or "input"
 * (explanations); the values are identical either way.
 */
export const forwardLogits = (
  net: NetworkTensors,
  X: tf.Tensor2D,
  masks?: tf.Tensor2D[],
  gradTarget: GradTarget = "weights",
): tf.Tensor1D => {
  let h: tf.Tensor2D = X;
  const last = net.kernels.length - 1;
  for (let l = 0; l <= last; l++) {
    const dense = gradTarget === "input" ? denseInputOnly : l === 0 ? denseWeightsOnly : denseAll;
    h = dense(h, net.kernels[l], net.biases[l]);
    if (l === last) break;
    h = activate(h, net.spec.activation);
    if (masks) h = tf.mul(h, masks[l]);
  }
  return tf.reshape(h, [-1]);
};
