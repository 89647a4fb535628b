import { z } from "@hono/zod-openapi";
import { v1Route } from "../../route.js";
import { ApiKeySchema, CreateApiKeyBody, CreatedApiKeySchema, IdParam } from "./api-keys.schemas.js";

const tags = ["api-keys"];

export const create = v1Route(["admin"], {
  operationId: "createApiKey",
  method: "post",
  path: "/api-keys",
  tags,
  summary: "Create an API key (the key is in this answer only)",
  request: { body: { content: { "application/json": { schema: CreateApiKeyBody } }, required: true } },
  responses: { 201: { description: "Created", content: { "application/json": { schema: CreatedApiKeySchema } } } },
});

export const list = v1Route(["admin"], {
  operationId: "listApiKeys",
  method: "get",
  path: "/api-keys",
  tags,
  summary: "List API keys (prefixes, never secrets)",
  responses: {
    200: { description: "Keys", content: { "application/json": { schema: z.object({ items: z.array(ApiKeySchema) }) } } },
  },
});

export const revoke = v1Route(["admin"], {
  operationId: "revokeApiKey",
  method: "delete",
  path: "/api-keys/{id}",
  tags,
  summary: "Revoke an API key; it answers 401 from then on",
  request: { params: IdParam },
  responses: { 200: { description: "Revoked", content: { "application/json": { schema: ApiKeySchema } } } },
});

export type CreateRoute = typeof create;
export type ListRoute = typeof list;
export type RevokeRoute = typeof revoke;
