import { randomUUID } from "node:crypto";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { migrateDatabase, openDatabase } from "../../services/db/client.js";

/**
 * Once per `vitest run`: migrates a template database on the real Postgres. Each integration test
 * file then clones it (CREATE DATABASE … TEMPLATE, about 100 ms) so that files never share state
 * and the append-only tables never need truncating.
 */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    redisUrl: string;
    runId: string;
  }
}

export default async function setup(project: TestProject) {
  const runId = randomUUID().slice(0, 8);
  const template = `cts_tpl_${runId}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${template}`);
  const database = await openDatabase({ url: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${template}`), maxConnections: 1 });
  await migrateDatabase(database);
  await database.close();
  project.provide("pgAdminUrl", PG_ADMIN_URL);
  project.provide("pgTemplate", template);
  project.provide("redisUrl", REDIS_URL);
  project.provide("runId", runId);
  return async () => {
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`cts_t_${runId}_%`} or datname = ${template}`;
    for (const { datname } of leftovers) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.end();
  };
}
