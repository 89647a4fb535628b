CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"prefix" text NOT NULL,
	"sha256" text NOT NULL,
	"role" text NOT NULL,
	"units" text[] DEFAULT '{}' NOT NULL,
	"name" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_keys_prefix_unique" UNIQUE("prefix"),
	CONSTRAINT "api_keys_sha256_unique" UNIQUE("sha256")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"role" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"details" jsonb NOT NULL,
	"request_id" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "control_list_items" (
	"list_id" uuid NOT NULL,
	"file_id" text NOT NULL,
	"position" integer NOT NULL,
	"score" double precision NOT NULL,
	"selected_by" text NOT NULL,
	"selection_probability" double precision NOT NULL,
	"reasons" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"assigned_to" text,
	"outcome_id" bigint,
	CONSTRAINT "control_list_items_list_id_file_id_pk" PRIMARY KEY("list_id","file_id")
);
--> statement-breakpoint
CREATE TABLE "control_lists" (
	"id" uuid PRIMARY KEY NOT NULL,
	"unit" text NOT NULL,
	"params" jsonb NOT NULL,
	"run_id" uuid NOT NULL,
	"model_id" uuid NOT NULL,
	"seed" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feature_schemas" (
	"version" integer PRIMARY KEY NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" text PRIMARY KEY NOT NULL,
	"unit" text NOT NULL,
	"attributes" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "models" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text,
	"status" text DEFAULT 'draft' NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"seed" integer NOT NULL,
	"backend" text,
	"schema_version" integer,
	"data_digest" text,
	"cutoff" date,
	"counts" jsonb,
	"metrics" jsonb,
	"baselines" jsonb,
	"progress" jsonb,
	"artifact" "bytea",
	"artifact_sha256" text,
	"code_version" text,
	"error" text,
	"trained_by" text NOT NULL,
	"approved_by" text,
	"approval_justification" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"approved_at" timestamp with time zone,
	"activated_at" timestamp with time zone,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outcomes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outcomes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"file_id" text NOT NULL,
	"controlled_at" date NOT NULL,
	"outcome" smallint NOT NULL,
	"amount" double precision,
	"selected_by" text DEFAULT 'unknown' NOT NULL,
	"selection_probability" double precision,
	"control_list_id" uuid,
	"inspector" text,
	"notes" text,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outcomes_outcome_check" CHECK ("outcomes"."outcome" in (0, 1)),
	CONSTRAINT "outcomes_probability_check" CHECK ("outcomes"."selection_probability" is null or ("outcomes"."selection_probability" > 0 and "outcomes"."selection_probability" <= 1)),
	CONSTRAINT "outcomes_selected_by_check" CHECK ("outcomes"."selected_by" in ('model', 'exploration', 'manual', 'unknown'))
);
--> statement-breakpoint
CREATE TABLE "scores" (
	"run_id" uuid NOT NULL,
	"file_id" text NOT NULL,
	"model_id" uuid NOT NULL,
	"model_sha256" text NOT NULL,
	"score" double precision NOT NULL,
	"reasons" jsonb NOT NULL,
	"input_digest" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scores_run_id_file_id_pk" PRIMARY KEY("run_id","file_id")
);
--> statement-breakpoint
CREATE TABLE "scoring_chunks" (
	"run_id" uuid NOT NULL,
	"chunk_no" integer NOT NULL,
	"first_file_id" text NOT NULL,
	"last_file_id" text NOT NULL,
	"n" integer NOT NULL,
	"digest" text,
	"finished_at" timestamp with time zone,
	CONSTRAINT "scoring_chunks_run_id_chunk_no_pk" PRIMARY KEY("run_id","chunk_no")
);
--> statement-breakpoint
CREATE TABLE "scoring_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"model_id" uuid NOT NULL,
	"scope" jsonb NOT NULL,
	"shadow" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"total_files" integer DEFAULT 0 NOT NULL,
	"total_chunks" integer DEFAULT 0 NOT NULL,
	"progress" jsonb,
	"root_digest" text,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "control_list_items" ADD CONSTRAINT "control_list_items_list_id_control_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."control_lists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outcomes" ADD CONSTRAINT "outcomes_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoring_chunks" ADD CONSTRAINT "scoring_chunks_run_id_scoring_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."scoring_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoring_runs" ADD CONSTRAINT "scoring_runs_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action","id");--> statement-breakpoint
CREATE UNIQUE INDEX "control_list_items_position_idx" ON "control_list_items" USING btree ("list_id","position");--> statement-breakpoint
CREATE INDEX "control_list_items_file_idx" ON "control_list_items" USING btree ("file_id");--> statement-breakpoint
CREATE INDEX "control_lists_unit_idx" ON "control_lists" USING btree ("unit","created_at");--> statement-breakpoint
CREATE INDEX "files_unit_id_idx" ON "files" USING btree ("unit","id");--> statement-breakpoint
CREATE UNIQUE INDEX "models_single_active_idx" ON "models" USING btree ("status") WHERE "models"."status" = 'active';--> statement-breakpoint
CREATE INDEX "models_created_idx" ON "models" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "outcomes_file_controlled_idx" ON "outcomes" USING btree ("file_id","controlled_at");--> statement-breakpoint
CREATE INDEX "scores_file_idx" ON "scores" USING btree ("file_id");--> statement-breakpoint
CREATE INDEX "scoring_runs_model_idx" ON "scoring_runs" USING btree ("model_id","created_at");