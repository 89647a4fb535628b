import { describe, expect, it } from "vitest";
import { canonicalLine, chunkDigest, copyEscape, roundContribution, rootDigest } from "../../../services/audit/score-digest.js";

const row = (fileId: string, score = 0.25) => ({
  fileId,
  modelId: "m",
  modelSha256: "s",
  score,
  reasons: [["a", roundContribution(0.123456)], ["b", roundContribution(-0.00001)]],
  inputDigest: "d",
});

describe("score digests", () => {
  it("write a row exactly as its COPY text line", () => {
    expect(canonicalLine("r", row("F1"), JSON.stringify(row("F1").reasons))).toBe('r\tF1\tm\ts\t0.25\t[["a",0.1235],["b",0]]\td\n');
    expect(copyEscape("a\tb\\c\nd")).toBe("a\\tb\\\\c\\nd");
  });

  it("do not depend on the order rows are read in, and change when one score changes", () => {
    const rows = [row("F2"), row("F1"), row("F3")];
    expect(chunkDigest("r", rows)).toBe(chunkDigest("r", [...rows].reverse()));
    expect(chunkDigest("r", rows)).not.toBe(chunkDigest("r", [row("F2"), row("F1", 0.2500001), row("F3")]));
  });

  it("round contributions so that jsonb gives the same numbers back (no negative zero)", () => {
    expect(Object.is(roundContribution(-0.00001), 0)).toBe(true);
    expect(JSON.parse(JSON.stringify(roundContribution(1.23456789)))).toBe(1.2346);
  });

  it("root digest orders chunks by number", () => {
    const a = { chunkNo: 0, digest: "x" };
    const b = { chunkNo: 1, digest: "y" };
    expect(rootDigest("r", [a, b])).toBe(rootDigest("r", [b, a]));
    expect(rootDigest("r", [a, b])).not.toBe(rootDigest("r", [a, { chunkNo: 1, digest: "z" }]));
  });
});
