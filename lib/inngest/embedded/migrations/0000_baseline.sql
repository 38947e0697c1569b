-- Baseline of the embedded engine's tables, identical to the app's db/migrations/0001_engine.sql (which created them
-- on every database that existed before the engine had its own migrations). Written to be idempotent, so that it is a
-- no-op there and creates the tables on a database that never ran the app's migrations.
CREATE TABLE IF NOT EXISTS "inngest_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"step_id" text,
	"attempt" integer NOT NULL,
	"outcome" text NOT NULL,
	"http_status" integer,
	"error" jsonb,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inngest_crons" (
	"function_id" text NOT NULL,
	"cron" text NOT NULL,
	"next_at" timestamp with time zone NOT NULL,
	CONSTRAINT "inngest_crons_function_id_cron_pk" PRIMARY KEY("function_id","cron")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inngest_debounces" (
	"function_id" text NOT NULL,
	"key" text NOT NULL,
	"event" jsonb NOT NULL,
	"event_id" text NOT NULL,
	"fire_at" timestamp with time zone NOT NULL,
	"deadline" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inngest_debounces_function_id_key_pk" PRIMARY KEY("function_id","key")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inngest_events" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"data" jsonb NOT NULL,
	"external_id" text,
	"ts" bigint NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inngest_functions" (
	"id" text PRIMARY KEY NOT NULL,
	"app_id" text NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"config" jsonb NOT NULL,
	"retries" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inngest_functions_retries_check" CHECK ("inngest_functions"."retries" between 0 and 20)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inngest_idempotency" (
	"key" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inngest_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"kind" text NOT NULL,
	"step_id" text,
	"attempt" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"lease_owner" text,
	"concurrency_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"concurrency_limits" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inngest_queue_kind_check" CHECK ("inngest_queue"."kind" in ('call', 'wake', 'timeout')),
	CONSTRAINT "inngest_queue_attempt_check" CHECK ("inngest_queue"."attempt" >= 0)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inngest_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"function_id" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"event" jsonb NOT NULL,
	"event_id" text,
	"concurrency_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"concurrency_limits" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"parent_run_id" text,
	"parent_step_id" text,
	"output" json,
	"error" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	CONSTRAINT "inngest_runs_status_check" CHECK ("inngest_runs"."status" in ('queued', 'running', 'completed', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inngest_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inngest_steps" (
	"run_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"op" text NOT NULL,
	"status" text NOT NULL,
	"data" json,
	"error" json,
	"attempts" integer DEFAULT 0 NOT NULL,
	"seq" integer,
	"opts" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "inngest_steps_run_id_id_pk" PRIMARY KEY("run_id","id"),
	CONSTRAINT "inngest_steps_status_check" CHECK ("inngest_steps"."status" in ('planned', 'retrying', 'sleeping', 'invoking', 'waiting', 'completed', 'failed', 'cancelled')),
	CONSTRAINT "inngest_steps_attempts_check" CHECK ("inngest_steps"."attempts" >= 0)
);
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "inngest_attempts" ADD CONSTRAINT "inngest_attempts_run_id_inngest_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."inngest_runs"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "inngest_queue" ADD CONSTRAINT "inngest_queue_run_id_inngest_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."inngest_runs"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "inngest_steps" ADD CONSTRAINT "inngest_steps_run_id_inngest_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."inngest_runs"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_attempts_run_idx" ON "inngest_attempts" USING btree ("run_id","id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_crons_next_idx" ON "inngest_crons" USING btree ("next_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_debounces_fire_idx" ON "inngest_debounces" USING btree ("fire_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_events_name_received_idx" ON "inngest_events" USING btree ("name","received_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_events_received_idx" ON "inngest_events" USING btree ("received_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_idempotency_expires_idx" ON "inngest_idempotency" USING btree ("expires_at");
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "inngest_queue_run_kind_step_key" ON "inngest_queue" USING btree ("run_id","kind",coalesce("step_id", ''));
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_queue_available_idx" ON "inngest_queue" USING btree ("available_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_queue_leased_idx" ON "inngest_queue" USING btree ("lease_until") WHERE "inngest_queue"."lease_until" is not null;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_runs_function_created_idx" ON "inngest_runs" USING btree ("function_id","created_at" DESC NULLS LAST);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_runs_created_idx" ON "inngest_runs" USING btree ("created_at" DESC NULLS LAST);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_runs_active_idx" ON "inngest_runs" USING btree ("function_id") WHERE "inngest_runs"."status" in ('queued', 'running');
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_runs_parent_idx" ON "inngest_runs" USING btree ("parent_run_id") WHERE "inngest_runs"."parent_run_id" is not null;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inngest_steps_waiting_idx" ON "inngest_steps" USING btree ("op") WHERE "inngest_steps"."status" = 'waiting';
