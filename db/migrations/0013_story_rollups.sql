CREATE TABLE "story_rollups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"story_id" uuid NOT NULL,
	"start" integer NOT NULL,
	"size" integer NOT NULL,
	"level" integer NOT NULL,
	"text" text NOT NULL,
	"token_count" integer NOT NULL,
	"source_hash" text NOT NULL,
	"job_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "story_rollups_level_check" CHECK ("story_rollups"."level" between 1 and 24),
	CONSTRAINT "story_rollups_size_check" CHECK ("story_rollups"."size" = (8 << ("story_rollups"."level" - 1))),
	CONSTRAINT "story_rollups_start_check" CHECK ("story_rollups"."start" >= 0 and "story_rollups"."start" % "story_rollups"."size" = 0),
	CONSTRAINT "story_rollups_text_check" CHECK (char_length("story_rollups"."text") between 1 and 4000),
	CONSTRAINT "story_rollups_tokens_check" CHECK ("story_rollups"."token_count" >= 0),
	CONSTRAINT "story_rollups_source_hash_check" CHECK ("story_rollups"."source_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_job_type_check";--> statement-breakpoint
ALTER TABLE "story_rollups" ADD CONSTRAINT "story_rollups_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_rollups" ADD CONSTRAINT "story_rollups_job_id_ai_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."ai_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "story_rollups_run_key" ON "story_rollups" USING btree ("story_id","start","size");--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_job_type_check" CHECK ("ai_jobs"."job_type" in ('page_text.write', 'page_text.revise', 'story.revise_pages', 'page.summarize', 'story.summarize_pages', 'codex.suggest', 'story.suggest_codex', 'story.rollup'));