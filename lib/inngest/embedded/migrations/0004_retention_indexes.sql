DROP INDEX "inngest_events_received_idx";--> statement-breakpoint
CREATE INDEX "inngest_events_received_id_idx" ON "inngest_events" USING btree ("received_at","id");--> statement-breakpoint
CREATE INDEX "inngest_runs_ended_idx" ON "inngest_runs" USING btree ("ended_at","id") WHERE "inngest_runs"."status" in ('completed', 'failed', 'cancelled');