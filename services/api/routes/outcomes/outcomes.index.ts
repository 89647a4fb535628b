import { createRouter } from "../../router.js";
import * as handlers from "./outcomes.handlers.js";
import * as routes from "./outcomes.routes.js";

export const outcomesRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.importCsv, handlers.importCsv);
