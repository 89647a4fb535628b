import { v1Route } from "../../route.js";
import { UnitsSchema } from "./units.schemas.js";

export const list = v1Route(["inspector", "data_officer", "auditor", "admin"], {
  operationId: "listUnits",
  method: "get",
  path: "/units",
  tags: ["units"],
  summary: "The units (an inspector: their own), with their files, open lists and last scoring run",
  responses: { 200: { description: "The units", content: { "application/json": { schema: UnitsSchema } } } },
});

export type ListRoute = typeof list;
