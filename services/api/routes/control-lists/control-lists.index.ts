import { createRouter } from "../../router.js";
import * as handlers from "./control-lists.handlers.js";
import * as routes from "./control-lists.routes.js";

export const controlListsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.summary, handlers.summary)
  .openapi(routes.fairness, handlers.fairness)
  .openapi(routes.read, handlers.read)
  .openapi(routes.claim, handlers.claim)
  .openapi(routes.start, handlers.start)
  .openapi(routes.outcome, handlers.outcome)
  .openapi(routes.addItem, handlers.addItem)
  .openapi(routes.skip, handlers.skip);
