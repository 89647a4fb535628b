import { describe, expect, it } from "vitest";
import { fourEyesRefusal, normalizePersonName } from "../../../services/policy/approval.js";

describe("four-eyes approval", () => {
  it("compares names as people read them: NFKC, case folded, invisible characters removed", () => {
    expect(normalizePersonName("Olga")).toBe(normalizePersonName("Olga\u200b"));
    expect(normalizePersonName("OLGA")).toBe(normalizePersonName("olga"));
    expect(normalizePersonName("Ｏｌｇａ")).toBe("olga");
    expect(normalizePersonName("Stra\u00dfe")).toBe(normalizePersonName("STRASSE"));
    expect(normalizePersonName("  Olga \u2003 Petrova ")).toBe("olga petrova");
    expect(normalizePersonName("O\u200dl\u2060g\ufeffa\u00ad")).toBe("olga");
    expect(normalizePersonName("Olga")).not.toBe(normalizePersonName("Oleg"));
  });

  it("refuses the same key, the same key id or the same person's name; accepts another person", () => {
    const trainer = { keyId: "k1", id: "cts_aaaa1111", name: "Olga" };
    expect(fourEyesRefusal(trainer, { keyId: "k2", id: "cts_aaaa1111", name: "x" })).toMatch(/four eyes/);
    expect(fourEyesRefusal(trainer, { keyId: "k1", id: "cts_other", name: "x" })).toMatch(/four eyes/);
    expect(fourEyesRefusal(trainer, { keyId: "k3", id: "cts_bbbb2222", name: "olga\u200b" })).toMatch(/four eyes/);
    expect(fourEyesRefusal(trainer, { keyId: "k3", id: "cts_bbbb2222", name: "Oscar" })).toBeNull();
    // A trainer whose key is gone (no name known) is still compared by key.
    expect(fourEyesRefusal({ keyId: null, id: "cts_gone", name: null }, { keyId: "k3", id: "cts_bbbb2222", name: "Oscar" })).toBeNull();
  });
});
