ALTER TABLE "resource_state" ADD COLUMN "held_raw_payload_id" bigint;--> statement-breakpoint
ALTER TABLE "resource_state" ADD COLUMN "held_reason" text;--> statement-breakpoint
ALTER TABLE "stream_state" ADD COLUMN "consecutive_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stream_state" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stream_state" ADD COLUMN "derive_pending" boolean DEFAULT false NOT NULL;