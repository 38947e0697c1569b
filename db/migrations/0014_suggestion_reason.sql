ALTER TABLE "page_suggestions" ADD COLUMN "reason" text DEFAULT 'page_changed' NOT NULL;--> statement-breakpoint
ALTER TABLE "page_suggestions" ADD CONSTRAINT "page_suggestions_reason_check" CHECK ("page_suggestions"."reason" in ('page_changed', 'background', 'review', 'unchanged'));--> statement-breakpoint
ALTER TABLE "page_suggestions" ADD CONSTRAINT "page_suggestions_unchanged_closed_check" CHECK ("page_suggestions"."reason" <> 'unchanged' or "page_suggestions"."status" = 'discarded');--> statement-breakpoint
-- Suggestions made before the reason was recorded: a background revision's are marked as such.
UPDATE "page_suggestions" SET "reason" = 'background' FROM "ai_jobs" WHERE "ai_jobs"."id" = "page_suggestions"."job_id" AND "ai_jobs"."parent_job_id" IS NOT NULL;