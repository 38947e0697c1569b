CREATE TABLE "ai_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_type" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"target_type" text NOT NULL,
	"target_id" uuid NOT NULL,
	"requested_by" uuid,
	"template_key" text NOT NULL,
	"template_version" integer NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"instruction" text DEFAULT '' NOT NULL,
	"prompt_payload" jsonb NOT NULL,
	"context_left_out" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"prompt_hash" text,
	"partial_text" text,
	"output_text" text,
	"error_code" text,
	"error_message" text,
	"input_tokens" integer,
	"output_tokens" integer,
	"cost_usd" numeric(12, 6),
	"attempts" integer DEFAULT 0 NOT NULL,
	"base_version" integer,
	"retry_of" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"first_token_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ai_jobs_job_type_check" CHECK ("ai_jobs"."job_type" in ('page_text.write', 'page_text.revise')),
	CONSTRAINT "ai_jobs_status_check" CHECK ("ai_jobs"."status" in ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
	CONSTRAINT "ai_jobs_attempts_check" CHECK ("ai_jobs"."attempts" >= 0),
	CONSTRAINT "ai_jobs_tokens_check" CHECK (coalesce("ai_jobs"."input_tokens", 0) >= 0 and coalesce("ai_jobs"."output_tokens", 0) >= 0),
	CONSTRAINT "ai_jobs_cost_check" CHECK ("ai_jobs"."cost_usd" is null or "ai_jobs"."cost_usd" >= 0),
	CONSTRAINT "ai_jobs_error_check" CHECK ("ai_jobs"."status" <> 'failed' or "ai_jobs"."error_code" is not null),
	CONSTRAINT "ai_jobs_output_check" CHECK ("ai_jobs"."status" <> 'succeeded' or "ai_jobs"."output_text" is not null)
);
--> statement-breakpoint
CREATE TABLE "page_suggestions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"page_id" uuid NOT NULL,
	"job_id" uuid NOT NULL,
	"content" text NOT NULL,
	"base_version" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	CONSTRAINT "page_suggestions_status_check" CHECK ("page_suggestions"."status" in ('open', 'applied', 'discarded')),
	CONSTRAINT "page_suggestions_content_check" CHECK (char_length("page_suggestions"."content") <= 100000)
);
--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_suggestions" ADD CONSTRAINT "page_suggestions_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_suggestions" ADD CONSTRAINT "page_suggestions_job_id_ai_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."ai_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_suggestions" ADD CONSTRAINT "page_suggestions_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ai_jobs_one_active_per_target" ON "ai_jobs" USING btree ("target_type","target_id") WHERE "ai_jobs"."status" in ('pending', 'running');--> statement-breakpoint
CREATE INDEX "ai_jobs_created_idx" ON "ai_jobs" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_status_created_idx" ON "ai_jobs" USING btree ("status","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_requested_by_created_idx" ON "ai_jobs" USING btree ("requested_by","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_target_created_idx" ON "ai_jobs" USING btree ("target_type","target_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_model_created_idx" ON "ai_jobs" USING btree ("model","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_error_created_idx" ON "ai_jobs" USING btree ("error_code","created_at" DESC NULLS LAST) WHERE "ai_jobs"."error_code" is not null;--> statement-breakpoint
CREATE INDEX "ai_jobs_pending_idx" ON "ai_jobs" USING btree ("created_at") WHERE "ai_jobs"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "page_suggestions_job_key" ON "page_suggestions" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "page_suggestions_open_page_idx" ON "page_suggestions" USING btree ("page_id","created_at" DESC NULLS LAST) WHERE "page_suggestions"."status" = 'open';--> statement-breakpoint
ALTER TABLE "page_revisions" ADD CONSTRAINT "page_revisions_job_id_ai_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."ai_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "page_revisions_job_key" ON "page_revisions" USING btree ("job_id") WHERE "page_revisions"."job_id" is not null;