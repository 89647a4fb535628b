import { Hono, type MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import * as fileRoutes from "../api/routes/files/files.routes.js";
import * as listRoutes from "../api/routes/control-lists/control-lists.routes.js";
import * as unitRoutes from "../api/routes/units/units.routes.js";
import * as keyRoutes from "../api/routes/api-keys/api-keys.routes.js";
import * as auditRoutes from "../api/routes/audit/audit.routes.js";
import * as modelRoutes from "../api/routes/models/models.routes.js";
import * as runRoutes from "../api/routes/scoring-runs/scoring-runs.routes.js";
import { runProgress, showRun, showRunFairness, showRuns, startRun } from "./pages/officer/runs.js";
import { runImport, showImports } from "./pages/officer/imports.js";
import { bodyLimit } from "hono/body-limit";
import { DomainError } from "../errors.js";
import { approve, modelProgress, showModel } from "./pages/officer/model.js";
import { showModels, trainModel } from "./pages/officer/models.js";
import { showCompare } from "./pages/officer/compare.js";
import { downloadCard, showCard } from "./pages/officer/model-card.js";
import { computeYield, showYield } from "./pages/officer/yield.js";
import { showListFairness } from "./pages/officer/selection-fairness.js";
import * as evidenceRoutes from "../api/routes/models/evidence.routes.js";
import { createKey, revokeKey, showKeys } from "./pages/admin/keys.js";
import { showAudit } from "./pages/auditor/audit.js";
import { verify } from "./pages/auditor/verify.js";
import { DOCS_HTML, mountAssets } from "./assets.js";
import { sameRolesAs } from "./guard.js";
import { readerFormats } from "./format.js";
import { layout } from "./layout.js";
import { errorPage, webErrorHandler } from "./pages/errors.js";
import { showHome } from "./pages/home.js";
import { showUnits } from "./pages/admin/units.js";
import { showFile } from "./pages/inspector/file.js";
import { claimItem, exportList, outcomeForm, recordOutcome, showList } from "./pages/inspector/list-page.js";
import { addItem, skipForm, skipItem } from "./pages/inspector/list-actions.js";
import { pullList, showLists } from "./pages/inspector/my-work.js";
import { showSignIn, signIn, signOut } from "./pages/sign-in.js";
import { loadSession, requireCsrfToken, requireSession, type WebBindings } from "./session.js";

/**
 * Pages served to people's browsers: only what the pages need is here; the work is done by the
 * same queries, role checks and audit events as the API (each page names the API operation whose
 * roles it admits). Scripts and styles come from this process only, hence the policy.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/** An Origin (when the browser sends one) must be this service's, directly or through its proxy. */
const sameOrigin = (origin: string, c: { req: { url: string; header: (n: string) => string | undefined } }) => {
  const host = c.req.header("x-forwarded-host") ?? c.req.header("host");
  return origin === new URL(c.req.url).origin || (host !== undefined && new URL(origin).host === host);
};

/** Pages are personal (no shared caches, no back-button copies after sign-out) and load only our scripts. */
const pageHeaders: MiddlewareHandler = async (c, next) => {
  c.header("content-security-policy", CSP);
  c.header("cache-control", "no-store");
  await next();
};

/** Largest CSV uploaded through the imports page. */
const UPLOAD_LIMIT_BYTES = 64 * 1024 * 1024;

export function createWebApp() {
  const web = new Hono<WebBindings>();
  web.onError(webErrorHandler);
  mountAssets(web as never);
  web.get("/docs", (c) => {
    c.header("content-security-policy", CSP);
    return c.html(DOCS_HTML);
  });
  web.get("/", pageHeaders, readerFormats, loadSession(), layout, showHome);

  const pages = new Hono<WebBindings>();
  pages.onError(webErrorHandler);
  pages.use("*", pageHeaders, readerFormats, csrf({ origin: sameOrigin }), loadSession(), layout);
  pages.get("/sign-in", showSignIn);
  pages.post("/sign-in", signIn);
  // An upload through the page is read whole (multipart); the API's streamed import is for big files.
  pages.post("/imports", bodyLimit({ maxSize: UPLOAD_LIMIT_BYTES, onError: () => { throw new DomainError("payload_too_large", `uploads through the page are limited to ${UPLOAD_LIMIT_BYTES / 1024 / 1024} MB: use POST /v1/files/import or the CLI for bigger files`); } }));
  pages.use("*", requireSession(), requireCsrfToken());
  pages.post("/sign-out", signOut);

  pages.get("/work", sameRolesAs(listRoutes.create), (c) => showLists(c));
  pages.get("/lists", sameRolesAs(listRoutes.list), (c) => showLists(c));
  pages.post("/lists", sameRolesAs(listRoutes.create), pullList);
  pages.get("/lists/:id", sameRolesAs(listRoutes.read), (c) => showList(c));
  pages.post("/lists/:id/items", sameRolesAs(listRoutes.addItem), addItem);
  pages.get("/lists/:id/export.csv", sameRolesAs(listRoutes.read), exportList);
  pages.get("/lists/:id/fairness", sameRolesAs(listRoutes.fairness), showListFairness);
  pages.post("/lists/:id/items/:fileId/claim", sameRolesAs(listRoutes.claim), claimItem);
  pages.get("/lists/:id/items/:fileId/outcome", sameRolesAs(listRoutes.outcome), outcomeForm);
  pages.post("/lists/:id/items/:fileId/outcome", sameRolesAs(listRoutes.outcome), recordOutcome);
  pages.get("/lists/:id/items/:fileId/skip", sameRolesAs(listRoutes.skip), skipForm);
  pages.post("/lists/:id/items/:fileId/skip", sameRolesAs(listRoutes.skip), skipItem);
  pages.get("/files", sameRolesAs(fileRoutes.get), (c) => c.redirect(`/app/files/${encodeURIComponent(c.req.query("id") ?? "")}`, 303));
  pages.get("/files/:id", sameRolesAs(fileRoutes.get), showFile);
  pages.get("/units", sameRolesAs(unitRoutes.list), showUnits);
  pages.get("/audit", sameRolesAs(auditRoutes.events), showAudit);
  pages.post("/audit/verify", sameRolesAs(auditRoutes.verify), verify);
  pages.get("/models", sameRolesAs(modelRoutes.list), (c) => showModels(c));
  pages.post("/models", sameRolesAs(modelRoutes.create), trainModel);
  pages.get("/models/compare", sameRolesAs(modelRoutes.compare), showCompare);
  pages.get("/models/:id", sameRolesAs(modelRoutes.get), (c) => showModel(c));
  pages.get("/models/:id/progress", sameRolesAs(modelRoutes.get), modelProgress);
  pages.get("/models/:id/card", sameRolesAs(evidenceRoutes.card), showCard);
  pages.get("/models/:id/card.md", sameRolesAs(evidenceRoutes.card), downloadCard);
  pages.get("/models/:id/yield", sameRolesAs(evidenceRoutes.yieldEstimate), (c) => showYield(c));
  pages.post("/models/:id/yield", sameRolesAs(evidenceRoutes.yieldEstimate), computeYield);
  pages.post("/models/:id/approve", sameRolesAs(modelRoutes.approve), approve);
  pages.get("/imports", sameRolesAs(fileRoutes.importCsv), (c) => showImports(c));
  pages.post("/imports", runImport);
  pages.get("/runs", sameRolesAs(runRoutes.list), (c) => showRuns(c));
  pages.post("/runs", sameRolesAs(runRoutes.create), startRun);
  pages.get("/runs/:id", sameRolesAs(runRoutes.get), showRun);
  pages.get("/runs/:id/progress", sameRolesAs(runRoutes.get), runProgress);
  pages.get("/runs/:id/fairness", sameRolesAs(runRoutes.fairness), showRunFairness);
  pages.get("/admin/keys", sameRolesAs(keyRoutes.list), (c) => showKeys(c));
  pages.post("/admin/keys", sameRolesAs(keyRoutes.create), createKey);
  pages.post("/admin/keys/:id/revoke", sameRolesAs(keyRoutes.revoke), revokeKey);

  pages.all("*", (c) => errorPage(c, 404, "Not found", "There is no page at this address."));
  web.route("/app", pages);
  return web;
}
