import MarkdownIt from "markdown-it";
import { raw } from "hono/html";

/**
 * The Markdown the service writes itself (the model card, services/cards/model-card-markdown.ts)
 * as HTML, so the page and the download are the same document and cannot drift apart. markdown-it
 * with raw HTML off: every `<` in the text (a justification, a model's name) comes out escaped.
 * Tables go in the app's sideways-scrolling box, focusable and named as scroll-box.ts makes them
 * (markdown-it's token stream gives no table a name of its own, so each is "Table N").
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.renderer.rules.table_open = (_tokens, _idx, _options, env) => {
  const counter = env as { tables?: number };
  counter.tables = (counter.tables ?? 0) + 1;
  return `<div class="table-wrap" role="region" tabindex="0" aria-label="Table ${counter.tables}"><table>\n`;
};
md.renderer.rules.table_close = () => "</table></div>\n";
md.renderer.rules.th_open = (tokens, idx, options, _env, self) => {
  tokens[idx].attrSet("scope", "col");
  return self.renderToken(tokens, idx, options);
};

/** The card's Markdown as HTML, for a JSX page. */
export const markdownHtml = (text: string): string => md.render(text, {});

export function Markdown({ text }: { text: string }) {
  return raw(markdownHtml(text));
}
