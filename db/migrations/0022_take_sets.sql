ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_job_type_check";--> statement-breakpoint
ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_output_check";--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "sampling" jsonb;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "discarded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_job_type_check" CHECK ("ai_jobs"."job_type" in ('page_text.write', 'page_text.revise', 'story.revise_pages', 'page.summarize', 'story.summarize_pages', 'codex.suggest', 'story.suggest_codex', 'story.rollup', 'story.translate', 'page.translate', 'page_text.takes', 'page_text.take'));--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_output_check" CHECK ("ai_jobs"."status" <> 'succeeded' or "ai_jobs"."output_text" is not null or "ai_jobs"."job_type" in ('story.revise_pages', 'story.summarize_pages', 'story.suggest_codex', 'story.translate', 'page_text.takes'));