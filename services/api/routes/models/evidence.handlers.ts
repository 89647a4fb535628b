import { FairnessEvaluationSchema } from "../../../../models/fairness-schema.js";
import { conflict, invalid } from "../../../errors.js";
import { rejudge } from "../../../db/queries/fairness.js";
import { getModel } from "../../../db/queries/models.js";
import type { AppRouteHandler } from "../../types.js";
import { modelCard } from "../../../db/queries/model-card.js";
import { modelCardMarkdown } from "../../../cards/model-card-markdown.js";
import { produceYieldEstimate } from "../../../db/queries/yield-estimates.js";
import type { CardRoute, FairnessRoute, YieldEstimateRoute } from "./evidence.routes.js";

/** Capacities are stored as fractions; a query's 0.1 must find the stored 0.1 however it was written. */
const sameCapacity = (a: number, b: number) => Math.abs(a - b) < 1e-9;

export const fairness: AppRouteHandler<FairnessRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { capacity, reference } = c.req.valid("query");
  const row = await getModel(c.get("deps").database.db, id);
  const parsed = FairnessEvaluationSchema.safeParse((row.metrics as { fairness?: unknown } | null)?.fairness);
  if (!parsed.success) {
    throw conflict(`model ${id} has no stored fairness report (status ${row.status}; models trained before fairness reports need retraining)`, {
      modelStatus: row.status,
    });
  }
  const capacities = parsed.data.reports.map((r) => r.capacity);
  const stored = parsed.data.reports.find((r) => sameCapacity(r.capacity, capacity));
  if (!stored) {
    throw invalid("capacity is not one of the stored capacities", [{ path: "capacity", message: `one of ${capacities.join(", ")}` }]);
  }
  const report = rejudge(stored, reference);
  return c.json({ modelId: id, population: parsed.data.population, capacities, report }, 200);
};

export const card: AppRouteHandler<CardRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { format } = c.req.valid("query");
  const result = await modelCard(c.get("deps").database.db, id);
  const markdown = format === "md" || (format === undefined && (c.req.header("accept") ?? "").includes("text/markdown"));
  if (markdown) return c.body(modelCardMarkdown(result), 200, { "content-type": "text/markdown; charset=utf-8" });
  return c.json(result, 200);
};

export const yieldEstimate: AppRouteHandler<YieldEstimateRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { capacity } = c.req.valid("query");
  return c.json(await produceYieldEstimate(c.get("deps").database.db, id, capacity, c.get("actor"), c.get("requestId")), 200);
};
