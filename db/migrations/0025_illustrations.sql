CREATE TABLE "illustration_waits" (
	"page_id" uuid PRIMARY KEY NOT NULL,
	"story_id" uuid NOT NULL,
	"text_job_id" uuid NOT NULL,
	"requested_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "page_illustrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"story_id" uuid NOT NULL,
	"page_id" uuid NOT NULL,
	"job_id" uuid,
	"scene_description" text NOT NULL,
	"image_prompt" text NOT NULL,
	"storage" text NOT NULL,
	"image_key" text NOT NULL,
	"content_type" text NOT NULL,
	"byte_size" integer NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"model" text NOT NULL,
	"offline" boolean DEFAULT false NOT NULL,
	"chosen_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "page_illustrations_scene_check" CHECK (char_length("page_illustrations"."scene_description") between 1 and 2000),
	CONSTRAINT "page_illustrations_prompt_check" CHECK (char_length("page_illustrations"."image_prompt") between 1 and 4000),
	CONSTRAINT "page_illustrations_storage_check" CHECK ("page_illustrations"."storage" in ('database', 's3')),
	CONSTRAINT "page_illustrations_type_check" CHECK ("page_illustrations"."content_type" in ('image/png', 'image/jpeg', 'image/webp')),
	CONSTRAINT "page_illustrations_size_check" CHECK ("page_illustrations"."byte_size" > 0 and "page_illustrations"."width" > 0 and "page_illustrations"."height" > 0)
);
--> statement-breakpoint
CREATE TABLE "stored_images" (
	"key" text PRIMARY KEY NOT NULL,
	"bytes" "bytea" NOT NULL,
	"content_type" text NOT NULL,
	"byte_size" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stored_images_type_check" CHECK ("stored_images"."content_type" in ('image/png', 'image/jpeg', 'image/webp')),
	CONSTRAINT "stored_images_size_check" CHECK ("stored_images"."byte_size" = octet_length("stored_images"."bytes") and "stored_images"."byte_size" > 0),
	CONSTRAINT "stored_images_key_check" CHECK ("stored_images"."key" ~ '^[a-z0-9/_.-]{1,200}$')
);
--> statement-breakpoint
ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_job_type_check";--> statement-breakpoint
ALTER TABLE "codex_entries" ADD COLUMN "appearance" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "illustration_waits" ADD CONSTRAINT "illustration_waits_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "illustration_waits" ADD CONSTRAINT "illustration_waits_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "illustration_waits" ADD CONSTRAINT "illustration_waits_text_job_id_ai_jobs_id_fk" FOREIGN KEY ("text_job_id") REFERENCES "public"."ai_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "illustration_waits" ADD CONSTRAINT "illustration_waits_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_illustrations" ADD CONSTRAINT "page_illustrations_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_illustrations" ADD CONSTRAINT "page_illustrations_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_illustrations" ADD CONSTRAINT "page_illustrations_job_id_ai_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."ai_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "page_illustrations_page_created_idx" ON "page_illustrations" USING btree ("page_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "page_illustrations_story_idx" ON "page_illustrations" USING btree ("story_id");--> statement-breakpoint
CREATE UNIQUE INDEX "page_illustrations_one_chosen_per_page" ON "page_illustrations" USING btree ("page_id") WHERE "page_illustrations"."chosen_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "page_illustrations_job_key" ON "page_illustrations" USING btree ("job_id") WHERE "page_illustrations"."job_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "page_illustrations_image_key" ON "page_illustrations" USING btree ("storage","image_key");--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_job_type_check" CHECK ("ai_jobs"."job_type" in ('page_text.write', 'page_text.revise', 'story.revise_pages', 'page.summarize', 'story.summarize_pages', 'codex.suggest', 'story.suggest_codex', 'story.rollup', 'story.translate', 'page.translate', 'page_text.takes', 'page_text.take', 'page.illustrate', 'page.describe_scene'));--> statement-breakpoint
ALTER TABLE "codex_entries" ADD CONSTRAINT "codex_entries_appearance_check" CHECK (char_length("codex_entries"."appearance") <= 1000);