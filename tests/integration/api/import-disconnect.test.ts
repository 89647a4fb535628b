import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { serve, type ServerType } from "@hono/node-server";
import pino from "pino";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../services/db/client.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { fixtureFilesCsv, headLines, putDemoSchema } from "../../helpers/ingest.js";

/**
 * A files import over a real socket: a client that goes away mid-upload leaves nothing behind (its
 * transaction rolls back and the files lock is free at once), and while a live import holds the
 * lock, a second one gets a 409 naming the holder after a bounded wait instead of queueing.
 */
describe("files import: dead and concurrent uploads", () => {
  let ctx: TestContext;
  let server: ServerType;
  let base: string;
  let officer: string;
  const csv = fixtureFilesCsv();
  type LogLine = { level: number; msg: string; path?: string; clientClosed?: boolean };
  const logs: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: () => void }[] = [];
  const log = (line: string) => {
    const parsed = JSON.parse(line) as LogLine;
    logs.push(parsed);
    for (const w of waiters.filter((w) => w.match(parsed))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  /**
   * Resolves when the request log says an import's client went away. The request logger writes
   * after the handler has returned, so the import's transaction has ended by then: the event that
   * the lock must already be free, with no polling.
   */
  const disconnectLogged = () =>
    new Promise<void>((resolve) => waiters.push({ match: (l) => l.msg === "client disconnected" && l.path === "/v1/files/import", resolve }));

  beforeAll(async () => {
    ctx = await createTestContext("postgres", {}, { logger: pino({ level: "info" }, { write: log }) });
    officer = await ctx.key("data_officer", [], "Olga");
    await putDemoSchema(ctx, officer);
    server = serve({ fetch: ctx.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
    await ctx.close();
  });

  /** Starts an upload that announces far more bytes than it sends, and keeps the socket open. */
  async function startUpload(): Promise<Socket> {
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    const head = headLines(csv, 200);
    socket.write(
      `POST /v1/files/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${officer}\r\n` +
        `Content-Type: text/csv\r\nContent-Length: ${100_000_000}\r\n\r\n${head}`,
    );
    // No event says that a transaction was granted a lock: pg_locks is polled (every 50 ms, at
    // most 20 s), and only for this positive condition; a lock never taken fails the test.
    await waitFor(async () => (await lockHolders()) > 0);
    return socket;
  }

  const lockHolders = async () =>
    (
      await queryRows<{ n: number }>(
        ctx.test.database.db,
        sql`select count(*)::int as n from pg_locks where relation = 'files'::regclass and granted and mode = 'ShareRowExclusiveLock'`,
      )
    )[0].n;

  async function waitFor(check: () => Promise<boolean>, ms = 20_000) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (await check()) return;
      await delay(50);
    }
    throw new Error("condition not reached");
  }

  const importSmall = () =>
    fetch(`${base}/v1/files/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${officer}`, "content-type": "text/csv" },
      body: headLines(csv, 20),
    });

  it("a client that disconnects mid-upload releases the lock at once and writes nothing", async () => {
    const socket = await startUpload();
    const ended = disconnectLogged();
    socket.destroy();
    await ended;
    expect(await lockHolders()).toBe(0);
    const [{ n }] = await queryRows<{ n: number }>(ctx.test.database.db, sql`select count(*)::int as n from files`);
    expect(n).toBe(0);
    const res = await importSmall();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rows: 20, inserted: 20 });
    // Logged as a disconnect, not as a server error.
    expect(logs).toContainEqual(expect.objectContaining({ msg: "client disconnected", path: "/v1/files/import", clientClosed: true }));
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("a second import while one is uploading gets a 409 naming the holder", async () => {
    const socket = await startUpload();
    const ended = disconnectLogged();
    try {
      const res = await importSmall();
      expect(res.status).toBe(409);
      const body = (await res.json()) as { detail: string; holder: string };
      expect(body.detail).toMatch(/another import of files is in progress/);
      expect(body.holder).toMatch(/files import by Olga, since \d{4}-/);
    } finally {
      socket.destroy();
    }
    await ended;
    expect(await lockHolders()).toBe(0);
  });
});
