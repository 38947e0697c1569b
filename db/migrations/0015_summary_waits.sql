CREATE TABLE "page_summary_waits" (
	"page_id" uuid PRIMARY KEY NOT NULL,
	"story_id" uuid NOT NULL,
	"page_version" integer NOT NULL,
	"reason" text NOT NULL,
	"payer_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "page_summary_waits_reason_check" CHECK ("page_summary_waits"."reason" in ('budget'))
);
--> statement-breakpoint
ALTER TABLE "page_summary_waits" ADD CONSTRAINT "page_summary_waits_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_summary_waits" ADD CONSTRAINT "page_summary_waits_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_summary_waits" ADD CONSTRAINT "page_summary_waits_payer_id_users_id_fk" FOREIGN KEY ("payer_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "page_summary_waits_created_idx" ON "page_summary_waits" USING btree ("created_at");