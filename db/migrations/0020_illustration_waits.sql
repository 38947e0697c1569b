CREATE TABLE "illustration_waits" (
	"page_id" uuid PRIMARY KEY NOT NULL,
	"story_id" uuid NOT NULL,
	"text_job_id" uuid NOT NULL,
	"requested_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "illustration_waits" ADD CONSTRAINT "illustration_waits_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "illustration_waits" ADD CONSTRAINT "illustration_waits_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "illustration_waits" ADD CONSTRAINT "illustration_waits_text_job_id_ai_jobs_id_fk" FOREIGN KEY ("text_job_id") REFERENCES "public"."ai_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "illustration_waits" ADD CONSTRAINT "illustration_waits_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;