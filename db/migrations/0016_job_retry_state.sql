ALTER TABLE "ai_jobs" ADD COLUMN "retry_code" text;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "retry_at" timestamp with time zone;