ALTER TABLE "ai_jobs" ADD COLUMN "landed_at" timestamp with time zone;--> statement-breakpoint
-- Jobs that succeeded before this column existed had already been handled: without this, their background
-- revisions would wait for a landing that never comes.
UPDATE "ai_jobs" SET "landed_at" = "completed_at" WHERE "status" = 'succeeded';
