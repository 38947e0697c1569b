CREATE TABLE "site_settings" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"max_content_rating" text DEFAULT 'explicit' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "site_settings_single_row_check" CHECK ("site_settings"."id"),
	CONSTRAINT "site_settings_max_content_rating_check" CHECK (max_content_rating in ('general', 'teen', 'mature', 'explicit'))
);
--> statement-breakpoint
ALTER TABLE "stories" ADD COLUMN "content_rating" text DEFAULT 'general' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "max_content_rating" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "own_max_content_rating" text;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "content_rating" text;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "requested_rating" text;--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD COLUMN "rating_clamped_by" text;--> statement-breakpoint
ALTER TABLE "site_settings" ADD CONSTRAINT "site_settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ai_jobs_rating_created_idx" ON "ai_jobs" USING btree ("content_rating","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ai_jobs_clamped_created_idx" ON "ai_jobs" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "ai_jobs"."rating_clamped_by" is not null;--> statement-breakpoint
ALTER TABLE "stories" ADD CONSTRAINT "stories_content_rating_check" CHECK (content_rating in ('general', 'teen', 'mature', 'explicit'));--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_max_content_rating_check" CHECK ((max_content_rating is null or max_content_rating in ('general', 'teen', 'mature', 'explicit')) and (own_max_content_rating is null or own_max_content_rating in ('general', 'teen', 'mature', 'explicit')));--> statement-breakpoint
ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_content_rating_check" CHECK ((content_rating is null or content_rating in ('general', 'teen', 'mature', 'explicit')) and (requested_rating is null or requested_rating in ('general', 'teen', 'mature', 'explicit')) and (rating_clamped_by is null or rating_clamped_by in ('site', 'user')));