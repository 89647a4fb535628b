import { describe, expect, it } from "vitest";
import { markdownHtml } from "../../../services/web/markdown.js";

describe("markdownHtml (the card's own Markdown as HTML, markdown-it with raw HTML off)", () => {
  const text = ["# Card: `m1`", "", "Status **active**, dated today.", "more of the same paragraph", "", "- one", "- two <b>", "", "| a | b |", "| --- | --- |", "| x \\| y | <script>alert(1)</script> |", ""].join("\n");
  const html = markdownHtml(text);

  it("renders headings, paragraphs, lists, code and bold", () => {
    expect(html).toContain("<h1>Card: <code>m1</code></h1>");
    expect(html).toContain("<p>Status <strong>active</strong>, dated today.\nmore of the same paragraph</p>");
    expect(html).toMatch(/<ul>\s*<li>one<\/li>\s*<li>two &lt;b&gt;<\/li>\s*<\/ul>/);
  });

  it("puts each table in a focusable, named scrolling box, with column headers, an escaped pipe kept in its cell", () => {
    expect(html).toContain('<div class="table-wrap" role="region" tabindex="0" aria-label="Table 1"><table>');
    expect(html).toContain('<th scope="col">a</th>');
    expect(html).toContain("<td>x | y</td>");
  });

  it("escapes every text: no HTML passes through", () => {
    expect(html).toContain("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>");
  });
});
