import { createRouter } from "../../router.js";
import * as handlers from "./files.handlers.js";
import * as routes from "./files.routes.js";

export const filesRouter = createRouter()
  .openapi(routes.upsert, handlers.upsert)
  .openapi(routes.importCsv, handlers.importCsv)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get);
