import { createRouter } from "../../router.js";
import * as handlers from "./units.handlers.js";
import * as routes from "./units.routes.js";

export const unitsRouter = createRouter().openapi(routes.list, handlers.list);
