import { readFileSync } from "node:fs";
import type postgres from "postgres";

/** CPU seconds a process has used so far (utime + stime of /proc/<pid>/stat; Linux), or null once gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Where the CPU goes during a timed step: every `everyMs`, the CPU seconds of the named service
 * processes and of each Postgres process of this database (and the server's background ones), by
 * backend type, and what autovacuum is doing. CPU already used before start() is not counted.
 */
export function startCpuSampler(sql: postgres.Sql, processes: Record<string, number>, everyMs = 250) {
  const base = new Map<string, number>();
  const last = new Map<string, { group: string; seconds: number }>();
  const autovacuum = new Map<string, number>();
  const maintenance = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const read = (key: string, group: string, pid: number) => {
    const seconds = cpuSeconds(pid);
    if (seconds === null) return;
    if (!base.has(key)) base.set(key, samples === 0 ? seconds : 0);
    last.set(key, { group, seconds });
  };
  const sample = async () => {
    for (const [name, pid] of Object.entries(processes)) read(`svc:${pid}`, name, pid);
    const rows = await sql<{ pid: number; backend_type: string; query: string | null; state: string | null }[]>`
      select pid, backend_type, query, state from pg_stat_activity
      where datname = current_database() or datname is null`;
    for (const row of rows) {
      read(`pg:${row.pid}`, `postgres ${row.backend_type}`, row.pid);
      if (row.backend_type === "autovacuum worker" && row.query) autovacuum.set(row.query, (autovacuum.get(row.query) ?? 0) + everyMs / 1000);
      // The service's own maintenance statements (the import's VACUUM (ANALYZE) files), by text.
      else if (row.state === "active" && row.query && /^\s*(vacuum|analyze|checkpoint)\b/i.test(row.query)) {
        maintenance.set(row.query, (maintenance.get(row.query) ?? 0) + everyMs / 1000);
      }
    }
    samples += 1;
  };
  const loop = (async () => {
    while (!stopped) {
      await sample().catch(() => {});
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await sample().catch(() => {});
      const cpu: Record<string, number> = {};
      for (const [key, { group, seconds }] of last) cpu[group] = (cpu[group] ?? 0) + seconds - (base.get(key) ?? 0);
      for (const group of Object.keys(cpu)) cpu[group] = +cpu[group].toFixed(1);
      const seconds = (m: Map<string, number>) => Object.fromEntries([...m].map(([q, s]) => [q.slice(0, 80), +s.toFixed(1)]));
      return { cpuSeconds: cpu, autovacuumSeconds: seconds(autovacuum), maintenanceSeconds: seconds(maintenance) };
    },
  };
}
