import { z } from "@hono/zod-openapi";
import { modelCardMarkdown } from "../../../cards/model-card-markdown.js";
import { modelCard } from "../../../db/queries/model-card.js";
import { notFound } from "../../../errors.js";
import { Markdown } from "../../markdown.js";
import type { WebContext } from "../../session.js";

/**
 * The model's card (GET /v1/models/:id/card) as a page and as the Markdown file an oversight body
 * keeps: the page is that Markdown rendered, so the two say the same thing.
 */

async function cardOf(c: WebContext) {
  const id = c.req.param("id") ?? "";
  if (!z.string().uuid().safeParse(id).success) throw notFound(`model ${id}`);
  const card = await modelCard(c.get("deps").database.db, id);
  return { id, card, markdown: modelCardMarkdown(card) };
}

export async function showCard(c: WebContext) {
  const { id, card, markdown } = await cardOf(c);
  return c.render(
    <>
      <p class="row">
        <a href={`/app/models/${id}`}>Back to the model</a>
        <a class="button secondary" href={`/app/models/${id}/card.md`} download>
          Download as Markdown
        </a>
      </p>
      <article class="card model-card" aria-label="Model card">
        <Markdown text={markdown} />
      </article>
    </>,
    { title: `Model card ${card.name ?? id.slice(0, 8)}` },
  );
}

export async function downloadCard(c: WebContext) {
  const { id, markdown } = await cardOf(c);
  return c.body(markdown, 200, {
    "content-type": "text/markdown; charset=utf-8",
    "content-disposition": `attachment; filename="model-card-${id}.md"`,
  });
}
