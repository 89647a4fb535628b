import { createRouter } from "../../router.js";
import * as handlers from "./api-keys.handlers.js";
import * as routes from "./api-keys.routes.js";

export const apiKeysRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.revoke, handlers.revoke);
