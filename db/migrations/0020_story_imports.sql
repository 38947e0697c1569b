CREATE TABLE "story_import_pages" (
	"import_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"content" text NOT NULL,
	"token_count" integer NOT NULL,
	CONSTRAINT "story_import_pages_import_id_ordinal_pk" PRIMARY KEY("import_id","ordinal"),
	CONSTRAINT "story_import_pages_content_check" CHECK (char_length("story_import_pages"."content") <= 100000)
);
--> statement-breakpoint
CREATE TABLE "story_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requested_by" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"file_bytes" integer NOT NULL,
	"file" "bytea",
	"options" jsonb NOT NULL,
	"title" text,
	"description" text,
	"pages_total" integer,
	"pages_staged" integer DEFAULT 0 NOT NULL,
	"story_id" uuid,
	"error_code" text,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "story_imports_status_check" CHECK ("story_imports"."status" in ('pending', 'running', 'succeeded', 'failed')),
	CONSTRAINT "story_imports_format_check" CHECK ("story_imports"."format" in ('docx', 'md', 'txt')),
	CONSTRAINT "story_imports_story_check" CHECK ("story_imports"."status" <> 'succeeded' or "story_imports"."completed_at" is not null)
);
--> statement-breakpoint
ALTER TABLE "story_import_pages" ADD CONSTRAINT "story_import_pages_import_id_story_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."story_imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_imports" ADD CONSTRAINT "story_imports_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_imports" ADD CONSTRAINT "story_imports_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "story_imports_requested_by_idx" ON "story_imports" USING btree ("requested_by","created_at" DESC NULLS LAST);