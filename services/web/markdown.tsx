import type { Child } from "hono/jsx";

/**
 * The Markdown the service writes itself (the model card, services/cards/model-card-markdown.ts)
 * as HTML, so the page and the download are the same document and cannot drift apart. Only the
 * subset that writer uses: headings (#, ##, ###), paragraphs, "- " lists, pipe tables (cells with
 * escaped \|), `code` and **bold**. Text goes through JSX, which escapes it: no raw HTML is passed on.
 */

const inline = (text: string): Child[] =>
  text
    .split(/(`[^`]*`|\*\*[^*]+\*\*)/)
    .filter((part) => part !== "")
    .map((part) => (part.startsWith("`") && part.endsWith("`") && part.length > 1 ? <code>{part.slice(1, -1)}</code> : part.startsWith("**") ? <strong>{part.slice(2, -2)}</strong> : part));

/** The cells of a `| a | b |` row; `\|` is a pipe inside a cell. */
const cells = (line: string): string[] =>
  line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, "|"));

type Block = { kind: "h"; level: 1 | 2 | 3; text: string } | { kind: "p"; text: string } | { kind: "ul"; items: string[] } | { kind: "table"; head: string[]; rows: string[][] };

/** The blocks of the text, in order. */
export function markdownBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    if (heading) blocks.push({ kind: "h", level: heading[1].length as 1 | 2 | 3, text: heading[2] });
    else if (line.startsWith("|")) {
      const rows: string[][] = [];
      for (; i < lines.length && lines[i].startsWith("|"); i++) rows.push(cells(lines[i]));
      i--;
      blocks.push({ kind: "table", head: rows[0], rows: rows.slice(2) });
    } else if (line.startsWith("- ")) {
      const items: string[] = [];
      for (; i < lines.length && lines[i].startsWith("- "); i++) items.push(lines[i].slice(2));
      i--;
      blocks.push({ kind: "ul", items });
    } else if (line.trim() !== "") {
      const prev = blocks.at(-1);
      if (prev?.kind === "p" && lines[i - 1]?.trim() !== "") prev.text += ` ${line}`;
      else blocks.push({ kind: "p", text: line });
    }
  }
  return blocks;
}

export function Markdown({ text }: { text: string }) {
  return (
    <>
      {markdownBlocks(text).map((b) => {
        if (b.kind === "h") return b.level === 1 ? <h1>{inline(b.text)}</h1> : b.level === 2 ? <h2>{inline(b.text)}</h2> : <h3>{inline(b.text)}</h3>;
        if (b.kind === "p") return <p>{inline(b.text)}</p>;
        if (b.kind === "ul")
          return (
            <ul>
              {b.items.map((item) => (
                <li>{inline(item)}</li>
              ))}
            </ul>
          );
        return (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  {b.head.map((h) => (
                    <th scope="col">{inline(h)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {b.rows.map((r) => (
                  <tr>
                    {r.map((c) => (
                      <td>{inline(c)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </>
  );
}
