CREATE TABLE "auth_throttles" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"blocked_until" timestamp with time zone,
	CONSTRAINT "auth_throttles_count_check" CHECK ("auth_throttles"."count" >= 0),
	CONSTRAINT "auth_throttles_key_check" CHECK (char_length("auth_throttles"."key") <= 400)
);
--> statement-breakpoint
CREATE INDEX "auth_throttles_window_idx" ON "auth_throttles" USING btree ("window_start");