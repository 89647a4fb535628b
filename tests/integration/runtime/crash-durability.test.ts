import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../../jobs/connection.js";
import { createQueues, type Queues } from "../../../jobs/queues.js";
import { createApp } from "../../../services/api/app.js";
import { SYSTEM_ACTOR } from "../../../services/auth/actor.js";
import { parseConfig } from "../../../services/config.js";
import { type Database, migrateDatabase, openDatabase, queryRows } from "../../../services/db/client.js";
import { createApiKey } from "../../../services/db/queries/api-keys.js";
import { createLogger } from "../../../services/logger.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";
import { createThrowawayCluster, type ThrowawayCluster } from "../../helpers/throwaway-cluster.js";

/**
 * A 2xx means the write is on disk. The cluster's WAL writer sleeps 10 s between rounds, so only a
 * commit that flushes its own WAL survives a crash that comes sooner: everything this test was
 * answered 2xx for must be there after SIGKILL of every Postgres process and a restart (crash
 * recovery). An asynchronously committed write followed by `select txid_current()` fails this test.
 */
describe("durability: every 2xx survives a crash of Postgres", () => {
  let cluster: ThrowawayCluster;
  let database: Database;
  let redis: Redis;
  let queues: Queues;
  let app: ReturnType<typeof createApp>;
  let inspector: string;
  const prefix = `test-${randomUUID()}`;

  beforeAll(async () => {
    cluster = await createThrowawayCluster({ wal_writer_delay: "10s", checkpoint_timeout: "1h", max_wal_size: "4GB", fsync: "on" });
    await cluster.start();
    const admin = postgres(cluster.url(), { max: 1, onnotice: () => {} });
    await admin`create database cts`;
    await admin.end();
    database = await openDatabase({ url: cluster.url("cts") });
    await migrateDatabase(database);
    await buildScoredPopulation(database.db, { units: { north: 400 } });
    inspector = (await createApiKey(database.db, { role: "inspector", units: ["north"], name: "Ines" }, SYSTEM_ACTOR)).key;
    const config = parseConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", QUEUE_PREFIX: prefix });
    redis = createRedis(inject("redisUrl"));
    queues = createQueues(redis, prefix);
    app = createApp({ database, redis, queues, config, logger: createLogger("silent"), tfjsBackend: () => "cpu" });
  });

  afterAll(async () => {
    await database?.close().catch(() => {});
    await queues?.close();
    await redis?.quit();
    await cluster?.stop();
  });

  const post = (path: string, json: unknown) =>
    Promise.resolve(
      app.request(path, {
        method: "POST",
        headers: { authorization: `Bearer ${inspector}`, "content-type": "application/json" },
        body: JSON.stringify(json),
      }),
    );

  it("finds every acknowledged list, outcome and audit event after SIGKILL and restart", async () => {
    const lists: { id: string; items: { fileId: string }[] }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post("/v1/control-lists", { unit: "north", capacity: 40 });
      expect(res.status).toBe(201);
      lists.push((await res.json()) as (typeof lists)[number]);
    }
    // A burst of outcomes at once, then the crash as soon as the last answer is in.
    const answers = await Promise.all(
      lists.flatMap((list) =>
        list.items.map(async ({ fileId }) => {
          const res = await post(`/v1/control-lists/${list.id}/items/${fileId}/outcome`, { outcome: 1, amount: 100 });
          return { listId: list.id, fileId, status: res.status, body: (await res.json()) as { outcomeId?: number } };
        }),
      ),
    );
    const [{ events }] = await queryRows<{ events: number }>(database.db, sql`select count(*)::int as events from audit_events`);
    await cluster.crash();
    await database.close().catch(() => {});

    const acknowledged = answers.filter((a) => a.status === 201);
    expect(acknowledged.length).toBe(120);

    await cluster.start();
    const after = postgres(cluster.url("cts"), { max: 1, onnotice: () => {} });
    try {
      const storedLists = await after<{ id: string }[]>`select id from control_lists where id in ${after(lists.map((l) => l.id))}`;
      expect(storedLists).toHaveLength(lists.length);
      const stored = await after<{ control_list_id: string; file_id: string }[]>`
        select control_list_id, file_id from outcomes where control_list_id is not null`;
      const found = new Set(stored.map((r) => `${r.control_list_id}/${r.file_id}`));
      const lost = acknowledged.filter((a) => !found.has(`${a.listId}/${a.fileId}`)).map((a) => `${a.listId}/${a.fileId}`);
      expect(lost).toEqual([]);
      const [{ count }] = await after<{ count: number }[]>`select count(*)::int as count from audit_events`;
      expect(count).toBeGreaterThanOrEqual(events);
      const done = await after<{ n: number }[]>`select count(*)::int as n from control_list_items where status = 'done'`;
      expect(done[0].n).toBe(120);
    } finally {
      await after.end();
    }
    // Reconnect for afterAll's close.
    database = await openDatabase({ url: cluster.url("cts") });
  });
});
