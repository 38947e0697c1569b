CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_name_check" CHECK (char_length("api_tokens"."name") between 1 and 100)
);
--> statement-breakpoint
ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_job_type_check";--> statement-breakpoint
ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_output_check";--> statement-breakpoint
DROP INDEX "ai_jobs_status_created_idx";--> statement-breakpoint
DROP INDEX "ai_jobs_requested_by_created_idx";--> statement-breakpoint
DROP INDEX "ai_jobs_model_created_idx";--> statement-breakpoint
DROP INDEX "ai_jobs_error_created_idx";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "daily_token_budget" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "daily_cost_budget_usd" numeric(12, 6);--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "scope_type" text;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "scope_id" uuid;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "parent_job_id" uuid;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_user_created_idx" ON "api_tokens" USING btree ("user_id","created_at" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_parent_job_id_ai_jobs_id_fk" FOREIGN KEY ("parent_job_id") REFERENCES "public"."ai_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_retry_of_ai_jobs_id_fk" FOREIGN KEY ("retry_of") REFERENCES "public"."ai_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ai_jobs_type_created_idx" ON "ai_jobs" USING btree ("job_type","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_scope_created_idx" ON "ai_jobs" USING btree ("scope_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_parent_idx" ON "ai_jobs" USING btree ("parent_job_id") WHERE "ai_jobs"."parent_job_id" is not null;--> statement-breakpoint
CREATE INDEX "ai_jobs_retry_of_idx" ON "ai_jobs" USING btree ("retry_of") WHERE "ai_jobs"."retry_of" is not null;--> statement-breakpoint
CREATE INDEX "ai_jobs_status_created_idx" ON "ai_jobs" USING btree ("status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_requested_by_created_idx" ON "ai_jobs" USING btree ("requested_by","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_model_created_idx" ON "ai_jobs" USING btree ("model","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_error_created_idx" ON "ai_jobs" USING btree ("error_code","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "ai_jobs"."error_code" is not null;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_daily_token_budget_check" CHECK ("users"."daily_token_budget" is null or "users"."daily_token_budget" >= 0);--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_daily_cost_budget_check" CHECK ("users"."daily_cost_budget_usd" is null or "users"."daily_cost_budget_usd" >= 0);--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_scope_check" CHECK (("ai_jobs"."scope_type" is null) = ("ai_jobs"."scope_id" is null));--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_parent_check" CHECK ("ai_jobs"."parent_job_id" is null or "ai_jobs"."parent_job_id" <> "ai_jobs"."id");--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_job_type_check" CHECK ("ai_jobs"."job_type" in ('page_text.write', 'page_text.revise', 'story.revise_pages'));--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_output_check" CHECK ("ai_jobs"."status" <> 'succeeded' or "ai_jobs"."output_text" is not null or "ai_jobs"."job_type" = 'story.revise_pages');--> statement-breakpoint
-- Jobs recorded before scopes existed: a page's job is scoped to the page's story, so history filters find them.
UPDATE "ai_jobs" SET "scope_type" = 'story', "scope_id" = "pages"."story_id" FROM "pages" WHERE "ai_jobs"."target_type" = 'page' AND "ai_jobs"."target_id" = "pages"."id" AND "ai_jobs"."scope_id" IS NULL;
