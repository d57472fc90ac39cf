ALTER TABLE "observation_revisions" DROP CONSTRAINT "observation_revisions_series_id_series_id_fk";
