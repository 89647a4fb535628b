import { describe, expect, it } from "vitest";
import { canonicalAroundId, canonicalEvent, canonicalJson, eventHash, GENESIS_HASH } from "../../../services/audit/chain.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: null }], c: "é" } })).toBe(
      '{"a":{"c":"é","d":[1,{"x":null,"z":1}]},"b":1}',
    );
  });
  it("encodes non-finite numbers as null and dates as ISO strings", () => {
    expect(canonicalJson([Number.NaN, Number.POSITIVE_INFINITY, new Date(0)])).toBe('[null,null,"1970-01-01T00:00:00.000Z"]');
  });
});

describe("eventHash", () => {
  const event = {
    id: 1,
    at: new Date("2026-01-01T00:00:00.000Z"),
    actor: "cts_00000000",
    role: "admin",
    action: "api_key.create",
    target: "cts_11111111",
    details: { role: "auditor" },
    requestId: "r1",
  };
  it("is the SHA-256 of prev_hash, a newline and the canonical event", () => {
    // Computed outside the code under test: sha256 of 64 zeros, "\n" and the canonical JSON
    // {"action":"api_key.create","actor":"cts_00000000","at":"2026-01-01T00:00:00.000Z",
    //  "details":{"role":"auditor"},"id":1,"requestId":"r1","role":"admin","target":"cts_11111111","v":1}
    expect(eventHash(GENESIS_HASH, event)).toBe("fda57a328bf05c5a6a9c061540f914ef834a44c4bbc0aee7b8934a81287719d7");
  });
  it("changes when any field or the previous hash changes", () => {
    const base = eventHash(GENESIS_HASH, event);
    expect(eventHash(GENESIS_HASH, { ...event, details: { role: "admin" } })).not.toBe(base);
    expect(eventHash(GENESIS_HASH, { ...event, id: 2 })).not.toBe(base);
    expect(eventHash("f".repeat(64), event)).not.toBe(base);
  });
});

describe("canonicalAroundId", () => {
  it("splits the canonical event so that head + id + tail is the canonical encoding", () => {
    const tricky = {
      at: new Date("2026-01-01T00:00:00.000Z"),
      actor: "a",
      role: "admin",
      action: "x",
      target: ',"id":0,',
      details: { nested: { id: 0, requestId: "r" }, text: ',"id":0,"requestId":' },
      requestId: ',"id":0,',
    };
    for (const id of [1, 42, 1234567]) {
      const { head, tail } = canonicalAroundId(tricky);
      expect(head + String(id) + tail).toBe(canonicalEvent({ ...tricky, id }));
    }
  });
});
