DROP INDEX "inngest_queue_available_idx";--> statement-breakpoint
ALTER TABLE "inngest_queue" ADD COLUMN "parked_on" text;--> statement-breakpoint
CREATE INDEX "inngest_queue_available_id_idx" ON "inngest_queue" USING btree ("available_at","id");--> statement-breakpoint
CREATE INDEX "inngest_queue_parked_idx" ON "inngest_queue" USING btree ("parked_on","id") WHERE "inngest_queue"."parked_on" is not null;