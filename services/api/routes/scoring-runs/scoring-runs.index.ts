import { createRouter } from "../../router.js";
import * as handlers from "./scoring-runs.handlers.js";
import * as routes from "./scoring-runs.routes.js";

export const scoringRunsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.fairness, handlers.fairness)
  .openapi(routes.events, handlers.events)
  .openapi(routes.cancel, handlers.cancel)
  .openapi(routes.resume, handlers.resume)
  .openapi(routes.dropScores, handlers.dropScores);
