-- Every commit that advances the data version notifies the hubs listening (src/db/data-version.ts), so
-- they keep the version in memory instead of reading it for every request. An empty payload: notifications
-- of one transaction with the same payload are folded into one, however many loads advanced it.
CREATE OR REPLACE FUNCTION notify_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hublot_data_version', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER data_version_notify AFTER INSERT OR UPDATE ON data_version
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_version();
