import { EncoderState } from "./encoder-state.js";

/**
 * The framing of a model artifact (layout in artifact.ts), readable without tfjs: the API reads an
 * artifact's encoder to put a score's reasons in words, and has no need of the weights.
 */
export const ARTIFACT_MAGIC = [0x43, 0x54, 0x53, 0x4d];
export const ARTIFACT_FORMAT_VERSION = 1;

/** The bytes are not a readable model artifact (wrong magic, version, or a corrupt header). */
export class ModelArtifactError extends Error {
  override name = "ModelArtifactError";
}

/** The header's JSON, unvalidated, and where the weights block starts. */
export function readArtifactHeader(bytes: Uint8Array): { header: unknown; weightsStart: number } {
  if (bytes.length < 12 || ARTIFACT_MAGIC.some((b, i) => bytes[i] !== b)) throw new ModelArtifactError("not a model artifact");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== ARTIFACT_FORMAT_VERSION) throw new ModelArtifactError(`unsupported artifact version ${version}`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new ModelArtifactError("truncated artifact header");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch (e) {
    throw new ModelArtifactError(`corrupt artifact header: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { header, weightsStart: Math.ceil((12 + headerLength) / 4) * 4 };
}

/** The fitted encoder of an artifact, validated. */
export function readArtifactEncoder(bytes: Uint8Array): EncoderState {
  const parsed = EncoderState.safeParse((readArtifactHeader(bytes).header as { encoder?: unknown } | null)?.encoder);
  if (!parsed.success) throw new ModelArtifactError(`corrupt artifact encoder: ${parsed.error.message}`);
  return parsed.data;
}
