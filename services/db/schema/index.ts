export * from "./api-keys.js";
export * from "./audit-events.js";
export * from "./control-lists.js";
export * from "./feature-schemas.js";
export * from "./files.js";
export * from "./models.js";
export * from "./outcomes.js";
export * from "./scoring.js";
