import { layerShapes, type MlpSpec, type NetworkWeights } from "./network.js";

/** One network of an ensemble and the weight of its logit in the blend. */
export interface EnsembleMember {
  network: NetworkWeights;
  weight: number;
}

/** Width a member occupies in hidden layer `l` of the merged network (see mergeNetworks). */
const blockWidth = (spec: MlpSpec, l: number): number => {
  const depth = spec.hidden.length;
  if (depth === 0) return 2;
  return spec.hidden[Math.min(l, depth - 1)];
};

/**
 * Merges relu MLPs into one MLP whose logit is Σ weight_k · logit_k, exactly. The ensemble then
 * stays one network: the artifact format, scoring, calibration and gradient explanations are
 * unchanged, and scoring costs one wider forward pass. Members sit side by side (block-diagonal
 * kernels). A shallower member is carried to the common depth through identity blocks, exact
 * because its hidden values are relu outputs (≥ 0, so relu(h) = h); a member with no hidden
 * layer (logistic regression) becomes the pair relu(z), relu(−z), whose difference is z.
 * Members of equal depth may use any shared activation; mixing depths needs relu.
 */
export const mergeNetworks = (members: EnsembleMember[]): NetworkWeights => {
  if (members.length === 0) throw new Error("an ensemble needs at least one member");
  const inputDim = members[0].network.spec.inputDim;
  const activation = members[0].network.spec.activation;
  const depth = Math.max(...members.map((m) => m.network.spec.hidden.length));
  for (const { network } of members) {
    if (network.spec.inputDim !== inputDim) throw new Error("ensemble members must share the input columns");
    if (network.spec.activation !== activation) throw new Error("ensemble members must share the activation");
    if (network.spec.hidden.length !== depth && activation !== "relu") throw new Error("members of different depths need relu");
  }
  if (depth === 0) {
    // All logistic: a weighted sum of linear models is one linear model.
    const kernel = new Float32Array(inputDim);
    let bias = 0;
    for (const { network, weight } of members) {
      network.kernels[0].forEach((v, i) => (kernel[i] += weight * v));
      bias += weight * network.biases[0][0];
    }
    return { spec: { inputDim, hidden: [], activation }, kernels: [kernel], biases: [Float32Array.of(bias)] };
  }
  const widths = Array.from({ length: depth }, (_, l) => members.reduce((s, m) => s + blockWidth(m.network.spec, l), 0));
  const spec: MlpSpec = { inputDim, hidden: widths, activation };
  const shapes = layerShapes(spec);
  const kernels = shapes.map(([i, o]) => new Float32Array(i * o));
  const biases = shapes.map(([, o]) => new Float32Array(o));
  // Column offsets of each member in every hidden layer.
  const offsets = Array.from({ length: depth }, (_, l) => {
    let at = 0;
    return members.map((m) => {
      const start = at;
      at += blockWidth(m.network.spec, l);
      return start;
    });
  });
  members.forEach(({ network, weight }, k) => {
    const own = network.spec.hidden.length;
    const ownShapes = layerShapes(network.spec);
    for (let l = 0; l <= depth; l++) {
      const nOut = l === depth ? 1 : widths[l];
      const colAt = l === depth ? 0 : offsets[l][k];
      const rowAt = l === 0 ? 0 : offsets[l - 1][k];
      const put = (r: number, c: number, v: number) => (kernels[l][(rowAt + r) * nOut + colAt + c] += v);
      if (own === 0) {
        if (l === 0) {
          // z = x·w + b as the pair relu(z), relu(−z).
          for (let r = 0; r < inputDim; r++) {
            put(r, 0, network.kernels[0][r]);
            put(r, 1, -network.kernels[0][r]);
          }
          biases[0][colAt] = network.biases[0][0];
          biases[0][colAt + 1] = -network.biases[0][0];
        } else if (l < depth) {
          put(0, 0, 1);
          put(1, 1, 1);
        } else {
          put(0, 0, weight);
          put(1, 0, -weight);
        }
      } else if (l < own) {
        const [fanIn, fanOut] = ownShapes[l];
        for (let r = 0; r < fanIn; r++) for (let c = 0; c < fanOut; c++) put(r, c, network.kernels[l][r * fanOut + c]);
        biases[l].set(network.biases[l], colAt);
      } else if (l < depth) {
        for (let c = 0; c < blockWidth(network.spec, l); c++) put(c, c, 1);
      } else {
        const last = network.kernels[own];
        for (let r = 0; r < last.length; r++) put(r, 0, weight * last[r]);
      }
    }
    biases[depth][0] += own === 0 ? 0 : weight * network.biases[own][0];
  });
  return { spec, kernels, biases };
};
