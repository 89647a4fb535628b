import { createRouter } from "../../router.js";
import * as evidence from "./evidence.handlers.js";
import * as evidenceRoutes from "./evidence.routes.js";
import * as handlers from "./models.handlers.js";
import * as routes from "./models.routes.js";

/** /v1/models: training, evaluation and four-eyes governance. compare precedes /{id} so it is not read as an id. */
export const modelsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.compare, handlers.compare)
  .openapi(routes.get, handlers.get)
  .openapi(routes.approve, handlers.approve)
  .openapi(routes.suspend, handlers.suspend)
  .openapi(routes.resume, handlers.resume)
  .openapi(routes.retire, handlers.retire)
  .openapi(routes.cancel, handlers.cancel)
  .openapi(evidenceRoutes.fairness, evidence.fairness)
  .openapi(evidenceRoutes.card, evidence.card)
  .openapi(evidenceRoutes.yieldEstimate, evidence.yieldEstimate);
