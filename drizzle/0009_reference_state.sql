CREATE TABLE "reference_state" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"fingerprint" text NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reference_state_single_row" CHECK ("reference_state"."id" = 1)
);
