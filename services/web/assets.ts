import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";

const fromPackage = createRequire(import.meta.url).resolve;
const fromRepo = (name: string) => fileURLToPath(new URL(`./public/${name}`, import.meta.url));

/**
 * Every asset the pages and /docs load, each from an installed npm package (pinned in
 * package.json) or from this repo: nothing comes from a CDN, so the app and its API reference work
 * on a machine without internet. A fixed table, not a folder: no request path reaches the disk.
 */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  "htmx.min.js": { file: () => fromPackage("htmx.org/dist/htmx.min.js"), type: "text/javascript; charset=utf-8" },
  "app.css": { file: () => fromRepo("app.css"), type: "text/css; charset=utf-8" },
  "copy.js": { file: () => fromRepo("copy.js"), type: "text/javascript; charset=utf-8" },
  "upload.js": { file: () => fromRepo("upload.js"), type: "text/javascript; charset=utf-8" },
  "docs.js": { file: () => fromRepo("docs.js"), type: "text/javascript; charset=utf-8" },
  "swagger-ui-bundle.js": { file: () => fromPackage("swagger-ui-dist/swagger-ui-bundle.js"), type: "text/javascript; charset=utf-8" },
  "swagger-ui.css": { file: () => fromPackage("swagger-ui-dist/swagger-ui.css"), type: "text/css; charset=utf-8" },
};

/** Read once, on first use; assets only change with a deploy. */
const cache = new Map<string, Buffer>();

export function mountAssets(app: Hono<never>) {
  app.get("/assets/:name", (c) => {
    const asset = ASSETS[c.req.param("name")];
    if (!asset) return c.notFound();
    const name = c.req.param("name");
    let body = cache.get(name);
    if (!body) {
      body = readFileSync(asset.file());
      cache.set(name, body);
    }
    return c.body(new Uint8Array(body), 200, { "content-type": asset.type, "cache-control": "public, max-age=3600" });
  });
}

/** The API reference (Swagger UI from swagger-ui-dist), reading /openapi.json from this service. */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Control Targeting Service API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-url="/openapi.json"></div>
<script src="/assets/swagger-ui-bundle.js"></script>
<script src="/assets/docs.js"></script>
</body>
</html>`;
