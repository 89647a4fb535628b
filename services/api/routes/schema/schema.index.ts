import { createRouter } from "../../router.js";
import * as handlers from "./schema.handlers.js";
import * as routes from "./schema.routes.js";

export const schemaRouter = createRouter()
  .openapi(routes.get, handlers.get)
  .openapi(routes.put, handlers.put)
  .openapi(routes.infer, handlers.infer);
