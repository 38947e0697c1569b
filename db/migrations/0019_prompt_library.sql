CREATE TABLE "instruction_presets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"label" text NOT NULL,
	"instruction" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "instruction_presets_label_check" CHECK (char_length("instruction_presets"."label") between 1 and 40),
	CONSTRAINT "instruction_presets_instruction_check" CHECK (char_length("instruction_presets"."instruction") between 1 and 500)
);
--> statement-breakpoint
CREATE TABLE "prompt_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"family" text NOT NULL,
	"version" integer NOT NULL,
	"body" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"source" text NOT NULL,
	"author_id" uuid,
	"based_on_version" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "prompt_versions_status_check" CHECK ("prompt_versions"."status" in ('draft', 'published', 'archived')),
	CONSTRAINT "prompt_versions_source_check" CHECK ("prompt_versions"."source" in ('builtin', 'admin')),
	CONSTRAINT "prompt_versions_version_check" CHECK ("prompt_versions"."version" >= 1),
	CONSTRAINT "prompt_versions_family_check" CHECK ("prompt_versions"."family" ~ '^[a-z][a-z0-9_]*$')
);
--> statement-breakpoint
ALTER TABLE "instruction_presets" ADD CONSTRAINT "instruction_presets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_versions" ADD CONSTRAINT "prompt_versions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "instruction_presets_user_idx" ON "instruction_presets" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "instruction_presets_user_label_key" ON "instruction_presets" USING btree ("user_id","label");--> statement-breakpoint
CREATE UNIQUE INDEX "prompt_versions_family_version_key" ON "prompt_versions" USING btree ("family","version");--> statement-breakpoint
CREATE UNIQUE INDEX "prompt_versions_one_published_key" ON "prompt_versions" USING btree ("family") WHERE "prompt_versions"."status" = 'published';