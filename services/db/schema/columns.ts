import { customType, timestamp } from "drizzle-orm/pg-core";

/** Postgres bytea as a Node Buffer (model artifacts). */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/** Timestamp with time zone, surfaced as Date. */
export const at = (name?: string) => (name ? timestamp(name, { withTimezone: true }) : timestamp({ withTimezone: true }));

/** created_at / updated_at shared by the mutable tables. */
export const timestamps = {
  createdAt: at().notNull().defaultNow(),
  updatedAt: at().notNull().defaultNow(),
};
