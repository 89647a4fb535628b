import type { FieldError } from "../errors.js";
import type { RowError } from "./validate-row.js";

/** Problems list at most this many errors (the "first 100 errors"); the counts cover all. */
export const MAX_REPORTED_ERRORS = 100;

/**
 * Keeps the errors with the smallest line numbers, in bounded memory: rows are checked in line order,
 * but duplicate ids and unknown files are found a chunk later, so errors arrive slightly out of order.
 */
export class ErrorLog {
  private kept: RowError[] = [];
  /** Every error seen, reported or not. */
  total = 0;

  add(error: RowError): void {
    this.total += 1;
    this.kept.push(error);
    if (this.kept.length > 4 * MAX_REPORTED_ERRORS) this.kept = this.sorted();
  }

  addAll(errors: RowError[]): void {
    for (const e of errors) this.add(e);
  }

  /** Adds the first of `total` errors found at once (the database returns at most the first 100); counts the rest. */
  addFirstOf(errors: RowError[], total: number): void {
    this.addAll(errors);
    this.total += total - errors.length;
  }

  /** The first MAX_REPORTED_ERRORS errors by line (stable: a row's errors keep their column order). */
  sorted(): RowError[] {
    return [...this.kept].sort((a, b) => a.line - b.line).slice(0, MAX_REPORTED_ERRORS);
  }
}

/** CSV errors as problem `errors[]`: path `line.<n>.<column>`, with line and column set. */
export const csvFieldErrors = (errors: RowError[]): FieldError[] =>
  errors.map((e) => ({
    path: e.column === undefined ? `line.${e.line}` : `line.${e.line}.${e.column}`,
    message: e.message,
    line: e.line,
    ...(e.column === undefined ? {} : { column: e.column }),
  }));

/** JSON batch errors as problem `errors[]`: path `<batch>.<index>.<key>`, where `key` maps a column to its JSON path. */
export const jsonFieldErrors = (batch: string, errors: RowError[], key: (column: string) => string = (c) => c): FieldError[] =>
  errors.map((e) => ({
    path: e.column === undefined ? `${batch}.${e.line}` : `${batch}.${e.line}.${key(e.column)}`,
    message: e.message,
  }));
