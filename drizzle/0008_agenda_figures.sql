CREATE TABLE "baseline_agenda_nodes" (
	"baseline_code" text NOT NULL,
	"node_code" text NOT NULL,
	"certainty" text DEFAULT 'inference' NOT NULL,
	CONSTRAINT "baseline_agenda_nodes_baseline_code_node_code_pk" PRIMARY KEY("baseline_code","node_code")
);
--> statement-breakpoint
CREATE TABLE "baseline_filieres" (
	"baseline_code" text NOT NULL,
	"filiere_code" text NOT NULL,
	CONSTRAINT "baseline_filieres_baseline_code_filiere_code_pk" PRIMARY KEY("baseline_code","filiere_code")
);
--> statement-breakpoint
CREATE TABLE "baseline_sites" (
	"baseline_code" text NOT NULL,
	"site_code" text NOT NULL,
	CONSTRAINT "baseline_sites_baseline_code_site_code_pk" PRIMARY KEY("baseline_code","site_code")
);
--> statement-breakpoint
CREATE TABLE "target_baselines" (
	"target_code" text NOT NULL,
	"baseline_code" text NOT NULL,
	CONSTRAINT "target_baselines_target_code_baseline_code_pk" PRIMARY KEY("target_code","baseline_code")
);
--> statement-breakpoint
ALTER TABLE "series" ADD COLUMN "decimals" integer;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "label_fr" text;--> statement-breakpoint
ALTER TABLE "baseline_agenda_nodes" ADD CONSTRAINT "baseline_agenda_nodes_baseline_code_baselines_code_fk" FOREIGN KEY ("baseline_code") REFERENCES "public"."baselines"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "baseline_filieres" ADD CONSTRAINT "baseline_filieres_baseline_code_baselines_code_fk" FOREIGN KEY ("baseline_code") REFERENCES "public"."baselines"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "baseline_filieres" ADD CONSTRAINT "baseline_filieres_filiere_code_filieres_code_fk" FOREIGN KEY ("filiere_code") REFERENCES "public"."filieres"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "baseline_sites" ADD CONSTRAINT "baseline_sites_baseline_code_baselines_code_fk" FOREIGN KEY ("baseline_code") REFERENCES "public"."baselines"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "baseline_sites" ADD CONSTRAINT "baseline_sites_site_code_sites_code_fk" FOREIGN KEY ("site_code") REFERENCES "public"."sites"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_baselines" ADD CONSTRAINT "target_baselines_target_code_targets_code_fk" FOREIGN KEY ("target_code") REFERENCES "public"."targets"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_baselines" ADD CONSTRAINT "target_baselines_baseline_code_baselines_code_fk" FOREIGN KEY ("baseline_code") REFERENCES "public"."baselines"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "baseline_agenda_nodes_node_idx" ON "baseline_agenda_nodes" USING btree ("node_code");--> statement-breakpoint
CREATE INDEX "baseline_filieres_filiere_idx" ON "baseline_filieres" USING btree ("filiere_code");--> statement-breakpoint
CREATE INDEX "baseline_sites_site_idx" ON "baseline_sites" USING btree ("site_code");--> statement-breakpoint
CREATE INDEX "target_baselines_baseline_idx" ON "target_baselines" USING btree ("baseline_code");