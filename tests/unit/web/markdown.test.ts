import { describe, expect, it } from "vitest";
import { Markdown, markdownBlocks } from "../../../services/web/markdown.js";

describe("markdownBlocks and Markdown (the card's own Markdown as HTML)", () => {
  const text = ["# Card: `m1`", "", "Status **active**, dated today.", "more of the same paragraph", "", "- one", "- two <b>", "", "| a | b |", "| --- | --- |", "| x \\| y | <script>alert(1)</script> |", ""].join("\n");

  it("splits headings, paragraphs, lists and pipe tables (escaped pipes kept in their cell)", () => {
    expect(markdownBlocks(text)).toEqual([
      { kind: "h", level: 1, text: "Card: `m1`" },
      { kind: "p", text: "Status **active**, dated today. more of the same paragraph" },
      { kind: "ul", items: ["one", "two <b>"] },
      { kind: "table", head: ["a", "b"], rows: [["x | y", "<script>alert(1)</script>"]] },
    ]);
  });

  it("renders code and bold, and escapes every text (no HTML passes through)", () => {
    const html = String(Markdown({ text }));
    expect(html).toContain("<h1>Card: <code>m1</code></h1>");
    expect(html).toContain("<p>Status <strong>active</strong>, dated today. more of the same paragraph</p>");
    expect(html).toContain("<li>two &lt;b&gt;</li>");
    expect(html).toContain("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
    expect(html).not.toContain("<script>");
  });
});
