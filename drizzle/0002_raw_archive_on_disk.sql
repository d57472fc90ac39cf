ALTER TABLE "raw_payloads" ALTER COLUMN "size_bytes" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "raw_payloads" ALTER COLUMN "body" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "raw_payloads" ADD COLUMN "stored_bytes" bigint;--> statement-breakpoint
ALTER TABLE "raw_payloads" ADD COLUMN "storage_path" text;