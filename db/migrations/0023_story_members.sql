CREATE TABLE "story_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"story_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"invited_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "story_invitations_role_check" CHECK ("story_invitations"."role" in ('editor', 'reader')),
	CONSTRAINT "story_invitations_email_check" CHECK ("story_invitations"."email" = lower("story_invitations"."email") and position('@' in "story_invitations"."email") > 1)
);
--> statement-breakpoint
CREATE TABLE "story_members" (
	"story_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "story_members_pkey" PRIMARY KEY("story_id","user_id"),
	CONSTRAINT "story_members_role_check" CHECK ("story_members"."role" in ('owner', 'editor', 'reader'))
);
--> statement-breakpoint
ALTER TABLE "story_invitations" ADD CONSTRAINT "story_invitations_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_invitations" ADD CONSTRAINT "story_invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_members" ADD CONSTRAINT "story_members_story_id_stories_id_fk" FOREIGN KEY ("story_id") REFERENCES "public"."stories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "story_members" ADD CONSTRAINT "story_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "story_invitations_story_email_key" ON "story_invitations" USING btree ("story_id","email");--> statement-breakpoint
CREATE INDEX "story_invitations_email_idx" ON "story_invitations" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "story_members_one_owner_key" ON "story_members" USING btree ("story_id") WHERE "story_members"."role" = 'owner';--> statement-breakpoint
CREATE INDEX "story_members_user_idx" ON "story_members" USING btree ("user_id");