ALTER TABLE "stories" ADD COLUMN "model_id" text;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "model_fallbacks" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "cache_key" text;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "reused_from" uuid;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "fresh" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_reused_from_ai_jobs_id_fk" FOREIGN KEY ("reused_from") REFERENCES "public"."ai_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ai_jobs_cache_idx" ON "ai_jobs" USING btree ("scope_id","cache_key","completed_at" DESC NULLS LAST) WHERE "ai_jobs"."cache_key" is not null and "ai_jobs"."status" = 'succeeded' and not "ai_jobs"."fresh";--> statement-breakpoint
ALTER TABLE "stories" ADD CONSTRAINT "stories_model_id_check" CHECK ("stories"."model_id" is null or char_length("stories"."model_id") between 1 and 100);