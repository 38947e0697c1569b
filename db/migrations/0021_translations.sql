CREATE TABLE "codex_name_translations" (
	"entry_id" uuid NOT NULL,
	"language" text NOT NULL,
	"name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "codex_name_translations_entry_id_language_pk" PRIMARY KEY("entry_id","language"),
	CONSTRAINT "codex_name_translations_name_check" CHECK (char_length("codex_name_translations"."name") between 1 and 100)
);
--> statement-breakpoint
CREATE TABLE "story_translations" (
	"story_id" uuid PRIMARY KEY NOT NULL,
	"source_story_id" uuid NOT NULL,
	"language" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "story_translations_not_self_check" CHECK ("story_translations"."story_id" <> "story_translations"."source_story_id")
);
--> statement-breakpoint
CREATE TABLE "translated_pages" (
	"page_id" uuid PRIMARY KEY NOT NULL,
	"translation_id" uuid NOT NULL,
	"source_page_id" uuid,
	"source_version" integer,
	"translated_version" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "translated_pages_versions_check" CHECK (coalesce("translated_pages"."source_version", 1) >= 1 and "translated_pages"."translated_version" >= 1)
);
--> statement-breakpoint
ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_job_type_check";--> statement-breakpoint
ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_output_check";--> statement-breakpoint
ALTER TABLE "codex_name_translations" ADD CONSTRAINT "codex_name_translations_entry_id_codex_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."codex_entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_translations" ADD CONSTRAINT "story_translations_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_translations" ADD CONSTRAINT "story_translations_source_story_id_stories_id_fk" FOREIGN KEY ("source_story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "translated_pages" ADD CONSTRAINT "translated_pages_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "translated_pages" ADD CONSTRAINT "translated_pages_translation_id_story_translations_story_id_fk" FOREIGN KEY ("translation_id") REFERENCES "public"."story_translations"("story_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "translated_pages" ADD CONSTRAINT "translated_pages_source_page_id_pages_id_fk" FOREIGN KEY ("source_page_id") REFERENCES "public"."pages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "story_translations_source_language_key" ON "story_translations" USING btree ("source_story_id","language");--> statement-breakpoint
CREATE UNIQUE INDEX "translated_pages_source_key" ON "translated_pages" USING btree ("translation_id","source_page_id") WHERE "translated_pages"."source_page_id" is not null;--> statement-breakpoint
CREATE INDEX "translated_pages_source_page_idx" ON "translated_pages" USING btree ("source_page_id");--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_job_type_check" CHECK ("ai_jobs"."job_type" in ('page_text.write', 'page_text.revise', 'story.revise_pages', 'page.summarize', 'story.summarize_pages', 'codex.suggest', 'story.suggest_codex', 'story.rollup', 'story.translate', 'page.translate'));--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_output_check" CHECK ("ai_jobs"."status" <> 'succeeded' or "ai_jobs"."output_text" is not null or "ai_jobs"."job_type" in ('story.revise_pages', 'story.summarize_pages', 'story.suggest_codex', 'story.translate'));