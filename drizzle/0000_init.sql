CREATE TABLE "agenda_node_filieres" (
	"node_code" text NOT NULL,
	"filiere_code" text NOT NULL,
	"certainty" text DEFAULT 'inference' NOT NULL,
	CONSTRAINT "agenda_node_filieres_node_code_filiere_code_pk" PRIMARY KEY("node_code","filiere_code")
);
--> statement-breakpoint
CREATE TABLE "agenda_node_indicators" (
	"node_code" text NOT NULL,
	"indicator_code" text NOT NULL,
	"certainty" text DEFAULT 'inference' NOT NULL,
	CONSTRAINT "agenda_node_indicators_node_code_indicator_code_pk" PRIMARY KEY("node_code","indicator_code")
);
--> statement-breakpoint
CREATE TABLE "agenda_node_sites" (
	"node_code" text NOT NULL,
	"site_code" text NOT NULL,
	"certainty" text DEFAULT 'inference' NOT NULL,
	CONSTRAINT "agenda_node_sites_node_code_site_code_pk" PRIMARY KEY("node_code","site_code")
);
--> statement-breakpoint
CREATE TABLE "agenda_node_tags" (
	"node_code" text NOT NULL,
	"tag_code" text NOT NULL,
	CONSTRAINT "agenda_node_tags_node_code_tag_code_pk" PRIMARY KEY("node_code","tag_code")
);
--> statement-breakpoint
CREATE TABLE "agenda_nodes" (
	"code" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"parent_code" text,
	"position" integer DEFAULT 0 NOT NULL,
	"title_fr" text NOT NULL,
	"title_en" text,
	"description" text,
	"refs" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "filiere_naf_codes" (
	"filiere_code" text NOT NULL,
	"naf_code" text NOT NULL,
	"scope" text NOT NULL,
	"weight" real DEFAULT 1 NOT NULL,
	"certainty" text DEFAULT 'proposal' NOT NULL,
	"note" text,
	CONSTRAINT "filiere_naf_codes_filiere_code_naf_code_pk" PRIMARY KEY("filiere_code","naf_code")
);
--> statement-breakpoint
CREATE TABLE "filiere_partners" (
	"filiere_code" text NOT NULL,
	"partner_code" text NOT NULL,
	"role" text,
	CONSTRAINT "filiere_partners_filiere_code_partner_code_pk" PRIMARY KEY("filiere_code","partner_code")
);
--> statement-breakpoint
CREATE TABLE "filieres" (
	"code" text PRIMARY KEY NOT NULL,
	"name_fr" text NOT NULL,
	"name_en" text NOT NULL,
	"kind" text NOT NULL,
	"parent_code" text,
	"industrial" boolean DEFAULT false NOT NULL,
	"description" text,
	"refs" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "naf_codes" (
	"code" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"level" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "baseline_indicators" (
	"baseline_code" text NOT NULL,
	"indicator_code" text NOT NULL,
	"certainty" text DEFAULT 'inference' NOT NULL,
	CONSTRAINT "baseline_indicators_baseline_code_indicator_code_pk" PRIMARY KEY("baseline_code","indicator_code")
);
--> statement-breakpoint
CREATE TABLE "baselines" (
	"code" text PRIMARY KEY NOT NULL,
	"measure" text NOT NULL,
	"value_text" text NOT NULL,
	"value_numeric" double precision,
	"unit" text NOT NULL,
	"period" text,
	"scope" text,
	"territory_code" text,
	"source_named" text,
	"note" text,
	"refs" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_conflicts" (
	"code" text PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"values" jsonb NOT NULL,
	"related_codes" text[] DEFAULT '{}' NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "indicators" (
	"code" text PRIMARY KEY NOT NULL,
	"number" integer,
	"name_fr" text NOT NULL,
	"name_en" text NOT NULL,
	"description" text,
	"unit" text NOT NULL,
	"additive" boolean NOT NULL,
	"periodicity" text NOT NULL,
	"direction" text NOT NULL,
	"sources_named" text[] DEFAULT '{}' NOT NULL,
	"provider_partner_code" text,
	"geo_levels" text[] DEFAULT '{}' NOT NULL,
	"breakdowns" text[] DEFAULT '{}' NOT NULL,
	"note" text,
	"refs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "indicators_number_unique" UNIQUE("number")
);
--> statement-breakpoint
CREATE TABLE "observation_revisions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "observation_revisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"series_id" integer NOT NULL,
	"period" text NOT NULL,
	"value" double precision,
	"obs_status" text NOT NULL,
	"obs_qual" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source_url" text,
	"retrieved_at" timestamp with time zone,
	"run_id" bigint,
	"raw_payload_id" bigint,
	"doc_ref" jsonb,
	"derived_from" jsonb,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone DEFAULT now() NOT NULL,
	"replaced_by_run_id" bigint
);
--> statement-breakpoint
CREATE TABLE "observations" (
	"series_id" integer NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"value" double precision,
	"obs_status" text DEFAULT 'A' NOT NULL,
	"obs_qual" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source_url" text,
	"retrieved_at" timestamp with time zone,
	"run_id" bigint,
	"raw_payload_id" bigint,
	"doc_ref" jsonb,
	"derived_from" jsonb,
	"valid_from" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "observations_series_id_period_pk" PRIMARY KEY("series_id","period")
);
--> statement-breakpoint
CREATE TABLE "series" (
	"id" serial PRIMARY KEY NOT NULL,
	"indicator_code" text NOT NULL,
	"territory_code" text NOT NULL,
	"measure" text NOT NULL,
	"breakdown" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"breakdown_key" text DEFAULT '' NOT NULL,
	"filiere_code" text,
	"naf_code" text,
	"dataset_code" text,
	"source_key" text,
	"frequency" text NOT NULL,
	"unit" text NOT NULL,
	"unit_mult" integer DEFAULT 0 NOT NULL,
	"title_fr" text,
	"title_en" text,
	"source_updated_at" timestamp with time zone,
	"derived" boolean DEFAULT false NOT NULL,
	"derivation" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "target_filieres" (
	"target_code" text NOT NULL,
	"filiere_code" text NOT NULL,
	CONSTRAINT "target_filieres_target_code_filiere_code_pk" PRIMARY KEY("target_code","filiere_code")
);
--> statement-breakpoint
CREATE TABLE "target_indicators" (
	"target_code" text NOT NULL,
	"indicator_code" text NOT NULL,
	"certainty" text DEFAULT 'inference' NOT NULL,
	CONSTRAINT "target_indicators_target_code_indicator_code_pk" PRIMARY KEY("target_code","indicator_code")
);
--> statement-breakpoint
CREATE TABLE "target_sites" (
	"target_code" text NOT NULL,
	"site_code" text NOT NULL,
	CONSTRAINT "target_sites_target_code_site_code_pk" PRIMARY KEY("target_code","site_code")
);
--> statement-breakpoint
CREATE TABLE "targets" (
	"code" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"value_text" text NOT NULL,
	"value_numeric" double precision,
	"value_kind" text NOT NULL,
	"unit" text NOT NULL,
	"horizon" text NOT NULL,
	"horizon_year" integer,
	"baseline_text" text,
	"baseline_value" double precision,
	"baseline_period" text,
	"territory_code" text,
	"agenda_node_code" text,
	"note" text,
	"refs" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ingest_resource_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ingest_resource_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" bigint NOT NULL,
	"stream_id" text NOT NULL,
	"resource_key" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"rows_inserted" integer DEFAULT 0 NOT NULL,
	"rows_updated" integer DEFAULT 0 NOT NULL,
	"rows_unchanged" integer DEFAULT 0 NOT NULL,
	"rows_skipped" integer DEFAULT 0 NOT NULL,
	"skipped_reasons" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"raw_payload_id" bigint,
	"error" text,
	"error_cause" text
);
--> statement-breakpoint
CREATE TABLE "ingest_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ingest_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"resources_total" integer DEFAULT 0 NOT NULL,
	"resources_failed" integer DEFAULT 0 NOT NULL,
	"rows_inserted" integer DEFAULT 0 NOT NULL,
	"rows_updated" integer DEFAULT 0 NOT NULL,
	"rows_unchanged" integer DEFAULT 0 NOT NULL,
	"rows_skipped" integer DEFAULT 0 NOT NULL,
	"error" text,
	"error_cause" text,
	"instance" text
);
--> statement-breakpoint
CREATE TABLE "raw_payloads" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "raw_payloads_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"resource_key" text NOT NULL,
	"url" text NOT NULL,
	"http_status" integer,
	"content_type" text,
	"sha256" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"retrieved_at" timestamp with time zone NOT NULL,
	"body" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resource_state" (
	"stream_id" text NOT NULL,
	"resource_key" text NOT NULL,
	"last_sha256" text,
	"last_raw_payload_id" bigint,
	"last_success_at" timestamp with time zone,
	CONSTRAINT "resource_state_stream_id_resource_key_pk" PRIMARY KEY("stream_id","resource_key")
);
--> statement-breakpoint
CREATE TABLE "stream_state" (
	"stream_id" text PRIMARY KEY NOT NULL,
	"source_id" text NOT NULL,
	"cursor" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_run_id" bigint,
	"last_success_at" timestamp with time zone,
	"last_failure_at" timestamp with time zone,
	"last_error" text,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"code" text PRIMARY KEY NOT NULL,
	"partner_code" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"licence" text NOT NULL,
	"url" text NOT NULL,
	"source_id" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"acronym" text,
	"kind" text NOT NULL,
	"roles" text[] DEFAULT '{}' NOT NULL,
	"website" text,
	"note" text,
	"refs" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "site_filieres" (
	"site_code" text NOT NULL,
	"filiere_code" text NOT NULL,
	CONSTRAINT "site_filieres_site_code_filiere_code_pk" PRIMARY KEY("site_code","filiere_code")
);
--> statement-breakpoint
CREATE TABLE "site_partners" (
	"site_code" text NOT NULL,
	"partner_code" text NOT NULL,
	"role" text,
	CONSTRAINT "site_partners_site_code_partner_code_pk" PRIMARY KEY("site_code","partner_code")
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"kind_label" text NOT NULL,
	"part_of_code" text,
	"commune_code" text,
	"location_note" text,
	"latitude" double precision,
	"longitude" double precision,
	"coordinates_note" text,
	"surface_ha" double precision,
	"jobs" integer,
	"figures" text[] DEFAULT '{}' NOT NULL,
	"description" text,
	"refs" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "territories" (
	"code" text PRIMARY KEY NOT NULL,
	"level" text NOT NULL,
	"cog_code" text NOT NULL,
	"name" text NOT NULL,
	"cog_vintage" integer NOT NULL,
	"siren" text,
	"population" integer,
	"population_year" integer,
	"population_source" text,
	"note" text,
	"refs" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "territory_links" (
	"child_code" text NOT NULL,
	"parent_code" text NOT NULL,
	"relation" text DEFAULT 'member' NOT NULL,
	"confirmed" boolean DEFAULT true NOT NULL,
	"source" text NOT NULL,
	"note" text,
	CONSTRAINT "territory_links_child_code_parent_code_pk" PRIMARY KEY("child_code","parent_code")
);
--> statement-breakpoint
ALTER TABLE "agenda_node_filieres" ADD CONSTRAINT "agenda_node_filieres_node_code_agenda_nodes_code_fk" FOREIGN KEY ("node_code") REFERENCES "public"."agenda_nodes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agenda_node_filieres" ADD CONSTRAINT "agenda_node_filieres_filiere_code_filieres_code_fk" FOREIGN KEY ("filiere_code") REFERENCES "public"."filieres"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agenda_node_indicators" ADD CONSTRAINT "agenda_node_indicators_node_code_agenda_nodes_code_fk" FOREIGN KEY ("node_code") REFERENCES "public"."agenda_nodes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agenda_node_indicators" ADD CONSTRAINT "agenda_node_indicators_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agenda_node_sites" ADD CONSTRAINT "agenda_node_sites_node_code_agenda_nodes_code_fk" FOREIGN KEY ("node_code") REFERENCES "public"."agenda_nodes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agenda_node_sites" ADD CONSTRAINT "agenda_node_sites_site_code_sites_code_fk" FOREIGN KEY ("site_code") REFERENCES "public"."sites"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agenda_node_tags" ADD CONSTRAINT "agenda_node_tags_node_code_agenda_nodes_code_fk" FOREIGN KEY ("node_code") REFERENCES "public"."agenda_nodes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agenda_node_tags" ADD CONSTRAINT "agenda_node_tags_tag_code_agenda_nodes_code_fk" FOREIGN KEY ("tag_code") REFERENCES "public"."agenda_nodes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filiere_naf_codes" ADD CONSTRAINT "filiere_naf_codes_filiere_code_filieres_code_fk" FOREIGN KEY ("filiere_code") REFERENCES "public"."filieres"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filiere_naf_codes" ADD CONSTRAINT "filiere_naf_codes_naf_code_naf_codes_code_fk" FOREIGN KEY ("naf_code") REFERENCES "public"."naf_codes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filiere_partners" ADD CONSTRAINT "filiere_partners_filiere_code_filieres_code_fk" FOREIGN KEY ("filiere_code") REFERENCES "public"."filieres"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filiere_partners" ADD CONSTRAINT "filiere_partners_partner_code_partners_code_fk" FOREIGN KEY ("partner_code") REFERENCES "public"."partners"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "baseline_indicators" ADD CONSTRAINT "baseline_indicators_baseline_code_baselines_code_fk" FOREIGN KEY ("baseline_code") REFERENCES "public"."baselines"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "baseline_indicators" ADD CONSTRAINT "baseline_indicators_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "baselines" ADD CONSTRAINT "baselines_territory_code_territories_code_fk" FOREIGN KEY ("territory_code") REFERENCES "public"."territories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicators" ADD CONSTRAINT "indicators_provider_partner_code_partners_code_fk" FOREIGN KEY ("provider_partner_code") REFERENCES "public"."partners"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observation_revisions" ADD CONSTRAINT "observation_revisions_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_territory_code_territories_code_fk" FOREIGN KEY ("territory_code") REFERENCES "public"."territories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_filiere_code_filieres_code_fk" FOREIGN KEY ("filiere_code") REFERENCES "public"."filieres"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_dataset_code_datasets_code_fk" FOREIGN KEY ("dataset_code") REFERENCES "public"."datasets"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_filieres" ADD CONSTRAINT "target_filieres_target_code_targets_code_fk" FOREIGN KEY ("target_code") REFERENCES "public"."targets"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_filieres" ADD CONSTRAINT "target_filieres_filiere_code_filieres_code_fk" FOREIGN KEY ("filiere_code") REFERENCES "public"."filieres"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_indicators" ADD CONSTRAINT "target_indicators_target_code_targets_code_fk" FOREIGN KEY ("target_code") REFERENCES "public"."targets"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_indicators" ADD CONSTRAINT "target_indicators_indicator_code_indicators_code_fk" FOREIGN KEY ("indicator_code") REFERENCES "public"."indicators"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_sites" ADD CONSTRAINT "target_sites_target_code_targets_code_fk" FOREIGN KEY ("target_code") REFERENCES "public"."targets"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_sites" ADD CONSTRAINT "target_sites_site_code_sites_code_fk" FOREIGN KEY ("site_code") REFERENCES "public"."sites"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_territory_code_territories_code_fk" FOREIGN KEY ("territory_code") REFERENCES "public"."territories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_resource_events" ADD CONSTRAINT "ingest_resource_events_run_id_ingest_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."ingest_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_partner_code_partners_code_fk" FOREIGN KEY ("partner_code") REFERENCES "public"."partners"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_filieres" ADD CONSTRAINT "site_filieres_site_code_sites_code_fk" FOREIGN KEY ("site_code") REFERENCES "public"."sites"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_filieres" ADD CONSTRAINT "site_filieres_filiere_code_filieres_code_fk" FOREIGN KEY ("filiere_code") REFERENCES "public"."filieres"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_partners" ADD CONSTRAINT "site_partners_site_code_sites_code_fk" FOREIGN KEY ("site_code") REFERENCES "public"."sites"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_partners" ADD CONSTRAINT "site_partners_partner_code_partners_code_fk" FOREIGN KEY ("partner_code") REFERENCES "public"."partners"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_commune_code_territories_code_fk" FOREIGN KEY ("commune_code") REFERENCES "public"."territories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "territory_links" ADD CONSTRAINT "territory_links_child_code_territories_code_fk" FOREIGN KEY ("child_code") REFERENCES "public"."territories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "territory_links" ADD CONSTRAINT "territory_links_parent_code_territories_code_fk" FOREIGN KEY ("parent_code") REFERENCES "public"."territories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agenda_node_filieres_fil_idx" ON "agenda_node_filieres" USING btree ("filiere_code");--> statement-breakpoint
CREATE INDEX "agenda_node_indicators_ind_idx" ON "agenda_node_indicators" USING btree ("indicator_code");--> statement-breakpoint
CREATE INDEX "agenda_node_sites_site_idx" ON "agenda_node_sites" USING btree ("site_code");--> statement-breakpoint
CREATE INDEX "agenda_node_tags_tag_idx" ON "agenda_node_tags" USING btree ("tag_code");--> statement-breakpoint
CREATE INDEX "agenda_nodes_parent_idx" ON "agenda_nodes" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "filiere_naf_naf_idx" ON "filiere_naf_codes" USING btree ("naf_code");--> statement-breakpoint
CREATE INDEX "filiere_partners_partner_idx" ON "filiere_partners" USING btree ("partner_code");--> statement-breakpoint
CREATE INDEX "filieres_parent_idx" ON "filieres" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "baseline_indicators_indicator_idx" ON "baseline_indicators" USING btree ("indicator_code");--> statement-breakpoint
CREATE INDEX "observation_revisions_key_idx" ON "observation_revisions" USING btree ("series_id","period","valid_to");--> statement-breakpoint
CREATE INDEX "observations_period_start_idx" ON "observations" USING btree ("period_start");--> statement-breakpoint
CREATE UNIQUE INDEX "series_natural_key" ON "series" USING btree ("indicator_code","territory_code","measure","breakdown_key");--> statement-breakpoint
CREATE INDEX "series_territory_idx" ON "series" USING btree ("territory_code");--> statement-breakpoint
CREATE INDEX "series_filiere_idx" ON "series" USING btree ("filiere_code");--> statement-breakpoint
CREATE INDEX "series_dataset_idx" ON "series" USING btree ("dataset_code");--> statement-breakpoint
CREATE INDEX "target_indicators_indicator_idx" ON "target_indicators" USING btree ("indicator_code");--> statement-breakpoint
CREATE INDEX "ingest_resource_events_run_idx" ON "ingest_resource_events" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "ingest_runs_stream_idx" ON "ingest_runs" USING btree ("stream_id","started_at");--> statement-breakpoint
CREATE INDEX "raw_payloads_resource_idx" ON "raw_payloads" USING btree ("stream_id","resource_key","retrieved_at");--> statement-breakpoint
CREATE INDEX "datasets_partner_idx" ON "datasets" USING btree ("partner_code");--> statement-breakpoint
CREATE INDEX "site_filieres_filiere_idx" ON "site_filieres" USING btree ("filiere_code");--> statement-breakpoint
CREATE INDEX "site_partners_partner_idx" ON "site_partners" USING btree ("partner_code");--> statement-breakpoint
CREATE INDEX "sites_commune_idx" ON "sites" USING btree ("commune_code");--> statement-breakpoint
CREATE INDEX "sites_kind_idx" ON "sites" USING btree ("kind");--> statement-breakpoint
CREATE UNIQUE INDEX "territories_level_cog_idx" ON "territories" USING btree ("level","cog_code","cog_vintage");--> statement-breakpoint
CREATE INDEX "territory_links_parent_idx" ON "territory_links" USING btree ("parent_code");