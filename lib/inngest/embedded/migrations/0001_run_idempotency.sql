CREATE TABLE "inngest_run_idempotency" (
	"function_id" text NOT NULL,
	"key" text NOT NULL,
	"run_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "inngest_run_idempotency_function_id_key_pk" PRIMARY KEY("function_id","key")
);
--> statement-breakpoint
CREATE INDEX "inngest_run_idempotency_expires_idx" ON "inngest_run_idempotency" USING btree ("expires_at");