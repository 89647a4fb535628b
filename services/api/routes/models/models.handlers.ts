import { enqueueTrainModel, removeQueuedTraining, trainJobId } from "../../../../jobs/training.js";
import { DomainError } from "../../../errors.js";
import { approveModel, resumeModel, retireModel, suspendModel } from "../../../db/queries/model-approval.js";
import { cancelModel, createModel, failTraining } from "../../../db/queries/model-training.js";
import { getModel, getModels, listModels } from "../../../db/queries/models.js";
import type { AppDeps, AppRouteHandler } from "../../types.js";
import type { Actor } from "../../../auth/actor.js";
import type {
  ApproveRoute,
  CancelRoute,
  CompareRoute,
  CreateRoute,
  GetRoute,
  ListRoute,
  ResumeRoute,
  RetireRoute,
  SuspendRoute,
} from "./models.routes.js";
import { modelsListOverlap } from "../../../lists/list-overlap.js";
import { compareYields } from "../../../db/queries/yield-estimates.js";
import { type CreateModelBody, toModel, toModelSummary } from "./models.schemas.js";
import { comparisonFigures, yieldComparison } from "./comparison.schemas.js";

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const row = await startTraining(c.get("deps"), c.req.valid("json"), c.get("actor"), c.get("requestId"));
  return c.json({ id: row.id, status: row.status, jobId: trainJobId(row.id) }, 202);
};

/**
 * A model row (draft, with its `model.train` event) and its training job; the row is marked failed
 * when the queue cannot take the job. Shared by this route and the web app's train form.
 */
export async function startTraining(deps: Pick<AppDeps, "database" | "queues">, body: CreateModelBody, actor: Actor, requestId?: string) {
  const { database, queues } = deps;
  const row = await createModel(
    database.db,
    {
      name: body.name ?? null,
      cutoff: body.cutoff ?? new Date().toISOString().slice(0, 10),
      seed: body.seed,
      params: {
        train: body.params ?? {},
        split: { kind: body.split ?? "auto", validationFrom: body.validationFrom, validationFraction: body.validationFraction },
        ipw: body.ipw,
      },
    },
    actor,
    requestId,
  );
  try {
    await enqueueTrainModel(queues.training, { modelId: row.id, requestId });
  } catch (error) {
    await failTraining(database.db, row.id, `could not queue the training: ${(error as Error).message}`, actor, requestId);
    throw new DomainError("unavailable", "the training queue is unavailable; the model was marked failed");
  }
  return row;
}

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const rows = await listModels(c.get("deps").database.db);
  return c.json({ items: rows.map(toModelSummary) }, 200);
};

export const compare: AppRouteHandler<CompareRoute> = async (c) => {
  const { ids, capacity, listSize } = c.req.valid("query");
  const db = c.get("deps").database.db;
  const rows = await getModels(db, ids);
  const overlap = listSize === undefined ? null : await modelsListOverlap(db, ids[0], ids[1], listSize);
  const digests = new Set(rows.map((r) => r.dataDigest));
  const compared = await compareYields(db, ids, capacity, c.get("actor"), c.get("requestId"));
  const yields = yieldComparison(ids, compared);
  return c.json(
    {
      models: rows.map(toModelSummary),
      sameData: digests.size === 1 && !digests.has(null),
      figures: [...comparisonFigures(rows), ...yields.figures],
      overlap,
      pastControls: yields.sentences,
      yieldEstimates: { capacity: compared.capacity, activeModelId: compared.activeModelId, models: compared.rows, active: compared.active },
    },
    200,
  );
};

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { id } = c.req.valid("param");
  return c.json(toModel(await getModel(c.get("deps").database.db, id)), 200);
};

export const approve: AppRouteHandler<ApproveRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { justification, override } = c.req.valid("json");
  const row = await approveModel(c.get("deps").database.db, id, justification, c.get("actor"), c.get("requestId"), override);
  return c.json(toModel(row), 200);
};

export const suspend: AppRouteHandler<SuspendRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { justification } = c.req.valid("json");
  return c.json(toModel(await suspendModel(c.get("deps").database.db, id, justification, c.get("actor"), c.get("requestId"))), 200);
};

export const resume: AppRouteHandler<ResumeRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { justification } = c.req.valid("json");
  return c.json(toModel(await resumeModel(c.get("deps").database.db, id, justification, c.get("actor"), c.get("requestId"))), 200);
};

export const retire: AppRouteHandler<RetireRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const row = await retireModel(c.get("deps").database.db, id, c.get("actor"), c.get("requestId"));
  return c.json(toModel(row), 200);
};

export const cancel: AppRouteHandler<CancelRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { database, queues } = c.get("deps");
  const row = await cancelModel(database.db, id, c.get("actor"), c.get("requestId"));
  // A queued job is dropped; a running one sees the row change and stops its thread.
  await removeQueuedTraining(queues.training, id).catch(() => false);
  return c.json(toModel(row), 200);
};
