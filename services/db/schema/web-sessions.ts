import { index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { apiKeys } from "./api-keys.js";
import { at } from "./columns.js";

/**
 * Web app sessions (migration 0017): the session id lives only in the browser's cookie; the table
 * keeps its SHA-256, the key it stands for (re-checked on every request) and its CSRF token.
 */
export const webSessions = pgTable(
  "web_sessions",
  {
    idSha256: text().primaryKey(),
    keyId: uuid()
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    csrfToken: text().notNull(),
    createdAt: at().notNull().defaultNow(),
    expiresAt: at().notNull(),
  },
  (t) => [index("web_sessions_expires_at_idx").on(t.expiresAt)],
);
