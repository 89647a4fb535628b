import { createRouter } from "../../router.js";
import * as handlers from "./audit.handlers.js";
import * as routes from "./audit.routes.js";

export const auditRouter = createRouter().openapi(routes.events, handlers.events).openapi(routes.verify, handlers.verify)
  .openapi(routes.checkpoint, handlers.checkpoint)
  .openapi(routes.verifyCheckpoint, handlers.verifyCheckpoint)
  .openapi(routes.fileScores, handlers.fileScores);
