DROP INDEX "stories_owner_updated_idx";--> statement-breakpoint
DROP INDEX "stories_updated_idx";--> statement-breakpoint
CREATE INDEX "stories_owner_updated_idx" ON "stories" USING btree ("owner_id","updated_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "stories_updated_idx" ON "stories" USING btree ("updated_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);