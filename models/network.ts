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

/**
 * x·W + b with a hand-written gradient that transposes explicitly. tfjs-wasm runs matMul with
 * transposeA/transposeB flags through a slow generic path (measured here: 8.4 ms against 1.8 ms
 * for transpose + plain matMul at 1024 × 83 × 64), and tf.grad of matMul uses those flags.
 */
const dense = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g), tf.sum(g, 0)];
    },
  };
}) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

const activate = (h: tf.Tensor2D, activation: MlpSpec["activation"]): tf.Tensor2D =>
  activation === "relu" ? tf.relu(h) : activation === "elu" ? tf.elu(h) : tf.tanh(h);

/**
 * The network's logits, shape [batch]. `masks` are the dropout masks of the hidden layers
 * (already scaled by 1/(1−rate)); omit them for inference. Differentiable with respect to the
 * weights (training) and the input (explanations).
 */
export const forwardLogits = (net: NetworkTensors, X: tf.Tensor2D, masks?: tf.Tensor2D[]): tf.Tensor1D => {
  let h: tf.Tensor2D = X;
  const last = net.kernels.length - 1;
  for (let l = 0; l < last; l++) {
    h = activate(dense(h, net.kernels[l], net.biases[l]), net.spec.activation);
    if (masks) h = tf.mul(h, masks[l]);
  }
  return tf.reshape(dense(h, net.kernels[last], net.biases[last]), [-1]);
};
