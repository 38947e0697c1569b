CREATE TABLE "codex_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"story_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"aliases" text[] DEFAULT '{}'::text[] NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"activation" text DEFAULT 'mentioned' NOT NULL,
	"token_count" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "codex_entries_kind_check" CHECK ("codex_entries"."kind" in ('character', 'place', 'thing', 'lore', 'other')),
	CONSTRAINT "codex_entries_activation_check" CHECK ("codex_entries"."activation" in ('always', 'mentioned', 'never')),
	CONSTRAINT "codex_entries_name_check" CHECK (char_length("codex_entries"."name") between 1 and 100),
	CONSTRAINT "codex_entries_description_check" CHECK (char_length("codex_entries"."description") <= 2000),
	CONSTRAINT "codex_entries_aliases_check" CHECK (coalesce(array_length("codex_entries"."aliases", 1), 0) <= 20),
	CONSTRAINT "codex_entries_tokens_check" CHECK ("codex_entries"."token_count" >= 0),
	CONSTRAINT "codex_entries_version_check" CHECK ("codex_entries"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "codex_name_keys" (
	"story_id" uuid NOT NULL,
	"name_key" text NOT NULL,
	"entry_id" uuid NOT NULL,
	CONSTRAINT "codex_name_keys_pkey" PRIMARY KEY("story_id","name_key"),
	CONSTRAINT "codex_name_keys_key_check" CHECK (char_length("codex_name_keys"."name_key") between 1 and 100)
);
--> statement-breakpoint
CREATE TABLE "codex_suggestions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"story_id" uuid NOT NULL,
	"job_id" uuid,
	"entry_id" uuid,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"aliases" text[] DEFAULT '{}'::text[] NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	CONSTRAINT "codex_suggestions_kind_check" CHECK ("codex_suggestions"."kind" in ('character', 'place', 'thing', 'lore', 'other')),
	CONSTRAINT "codex_suggestions_status_check" CHECK ("codex_suggestions"."status" in ('open', 'accepted', 'rejected')),
	CONSTRAINT "codex_suggestions_name_check" CHECK (char_length("codex_suggestions"."name") between 1 and 100),
	CONSTRAINT "codex_suggestions_description_check" CHECK (char_length("codex_suggestions"."description") <= 2000),
	CONSTRAINT "codex_suggestions_aliases_check" CHECK (coalesce(array_length("codex_suggestions"."aliases", 1), 0) <= 20)
);
--> statement-breakpoint
CREATE TABLE "page_summaries" (
	"page_id" uuid PRIMARY KEY NOT NULL,
	"story_id" uuid NOT NULL,
	"text" text NOT NULL,
	"token_count" integer NOT NULL,
	"page_version" integer NOT NULL,
	"source" text NOT NULL,
	"pinned" boolean DEFAULT false NOT NULL,
	"job_id" uuid,
	"author_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "page_summaries_text_check" CHECK (char_length("page_summaries"."text") between 1 and 2000),
	CONSTRAINT "page_summaries_tokens_check" CHECK ("page_summaries"."token_count" >= 0),
	CONSTRAINT "page_summaries_version_check" CHECK ("page_summaries"."page_version" >= 1),
	CONSTRAINT "page_summaries_source_check" CHECK ("page_summaries"."source" in ('ai', 'author')),
	CONSTRAINT "page_summaries_pinned_check" CHECK (not "page_summaries"."pinned" or "page_summaries"."source" = 'author')
);
--> statement-breakpoint
ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_job_type_check";--> statement-breakpoint
ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_output_check";--> statement-breakpoint
ALTER TABLE "pages" ADD COLUMN "token_count" integer;--> statement-breakpoint
ALTER TABLE "codex_entries" ADD CONSTRAINT "codex_entries_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "codex_name_keys" ADD CONSTRAINT "codex_name_keys_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "codex_name_keys" ADD CONSTRAINT "codex_name_keys_entry_id_codex_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."codex_entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "codex_suggestions" ADD CONSTRAINT "codex_suggestions_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "codex_suggestions" ADD CONSTRAINT "codex_suggestions_job_id_ai_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."ai_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "codex_suggestions" ADD CONSTRAINT "codex_suggestions_entry_id_codex_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."codex_entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "codex_suggestions" ADD CONSTRAINT "codex_suggestions_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_summaries" ADD CONSTRAINT "page_summaries_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_summaries" ADD CONSTRAINT "page_summaries_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_summaries" ADD CONSTRAINT "page_summaries_job_id_ai_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."ai_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_summaries" ADD CONSTRAINT "page_summaries_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "codex_entries_story_name_idx" ON "codex_entries" USING btree ("story_id","name");--> statement-breakpoint
CREATE INDEX "codex_name_keys_entry_idx" ON "codex_name_keys" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "codex_suggestions_open_story_idx" ON "codex_suggestions" USING btree ("story_id","created_at" DESC NULLS LAST) WHERE "codex_suggestions"."status" = 'open';--> statement-breakpoint
CREATE INDEX "codex_suggestions_job_idx" ON "codex_suggestions" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "page_summaries_story_idx" ON "page_summaries" USING btree ("story_id");--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_job_type_check" CHECK ("ai_jobs"."job_type" in ('page_text.write', 'page_text.revise', 'story.revise_pages', 'page.summarize', 'story.summarize_pages', 'codex.suggest', 'story.suggest_codex'));--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_output_check" CHECK ("ai_jobs"."status" <> 'succeeded' or "ai_jobs"."output_text" is not null or "ai_jobs"."job_type" in ('story.revise_pages', 'story.summarize_pages', 'story.suggest_codex'));