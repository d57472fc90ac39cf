-- The data version starts at 0; loads advance it (src/db/data-version.ts).
INSERT INTO data_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
--> statement-breakpoint
-- The read-only role of BI tools (docs/bi.md). Roles belong to the whole PostgreSQL cluster, so several
-- hub databases on one server share it: create it once, and let a concurrent migration lose the race.
DO $$ BEGIN
  CREATE ROLE hublot_bi NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS bi;
--> statement-breakpoint
-- Login roles made by `npm run bi:role` for a partner: each sees that partner's slice.
CREATE TABLE bi_login_roles (
  role_name text PRIMARY KEY,
  partner_code text NOT NULL REFERENCES partners(code),
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
-- The series the session's role may see: the one row filter of every bi view, evaluated once per
-- statement (not per row). It runs as the views' owner (SECURITY DEFINER) so BI roles need no right on
-- the tables, and reads `session_user`, which a BI role cannot change. Every series is public until
-- datasets carry a visibility; a later migration replaces this body with the API's rule
-- (src/graphql/scope.ts).
CREATE FUNCTION bi.visible_series() RETURNS SETOF integer
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT id FROM series $$;
--> statement-breakpoint
CREATE VIEW bi.indicators AS
SELECT i.code AS indicator_code, i.number AS agenda_number, i.name_fr, i.name_en, i.description, i.unit,
  i.additive, i.periodicity, i.direction, i.provider_partner_code, i.geo_levels, i.breakdowns, i.note
FROM indicators i;
--> statement-breakpoint
CREATE VIEW bi.territories AS
SELECT t.code AS territory_code, t.level AS territory_level, t.cog_code, t.name AS territory_name, t.cog_vintage,
  t.siren, t.population, t.population_year, t.population_source
FROM territories t;
--> statement-breakpoint
-- relation 'member' can be summed into the parent; 'subdivision' (Marseille's arrondissements) never.
CREATE VIEW bi.territory_memberships AS
SELECT l.child_code AS territory_code, c.name AS territory_name, c.level AS territory_level,
  l.parent_code, p.name AS parent_name, p.level AS parent_level, l.relation, l.relation = 'member' AS summable,
  l.confirmed, l.source
FROM territory_links l JOIN territories c ON c.code = l.child_code JOIN territories p ON p.code = l.parent_code;
--> statement-breakpoint
CREATE VIEW bi.filieres AS
SELECT f.code AS filiere_code, f.name_fr, f.name_en, f.kind, f.parent_code, f.industrial, f.description
FROM filieres f;
--> statement-breakpoint
CREATE VIEW bi.series AS
SELECT s.id AS series_id, s.indicator_code, i.name_fr AS indicator_name, s.measure, s.breakdown_key,
  s.breakdown, s.breakdown_key = '' AS is_total, s.filiere_code, s.naf_code, s.territory_code,
  t.name AS territory_name, t.level AS territory_level, s.frequency, s.unit, s.unit_mult, s.dataset_code,
  s.source_key, s.title_fr, s.title_en, s.derived, s.derivation, s.source_updated_at,
  exists (select 1 from indicators h where h.code = s.indicator_code
    and (starts_with(lower(h.unit), lower(s.unit)) or starts_with(lower(s.unit), lower(h.unit)))) AS headline
FROM series s JOIN indicators i ON i.code = s.indicator_code JOIN territories t ON t.code = s.territory_code
WHERE s.id IN (SELECT bi.visible_series());
--> statement-breakpoint
-- One row per current value. A breakdown row (is_total false) is part of its total: sum totals only,
-- or one breakdown dimension at a time.
CREATE VIEW bi.observations AS
SELECT s.indicator_code, i.name_fr AS indicator_name, s.measure, s.breakdown_key, s.breakdown_key = '' AS is_total,
  s.filiere_code, s.naf_code, s.territory_code, t.name AS territory_name, t.level AS territory_level, s.frequency,
  o.period, o.period_start, o.period_end, o.value, s.unit, s.unit_mult, o.obs_status, o.obs_qual, s.dataset_code,
  o.source_url, o.retrieved_at, o.valid_from, s.derived, o.series_id
FROM observations o JOIN series s ON s.id = o.series_id JOIN indicators i ON i.code = s.indicator_code
  JOIN territories t ON t.code = s.territory_code
WHERE s.id IN (SELECT bi.visible_series());
--> statement-breakpoint
-- The targets with the progress GraphQL's `progress` computes (src/graphql/analysis/progress.ts) at the
-- target's territory, the Métropole when it names none; test/db/bi-views.test.ts keeps the two equal.
CREATE VIEW bi.target_progress AS
WITH t AS (
  SELECT tg.code AS target_code, tg.label AS target_label, tg.value_text AS target_text, ti.indicator_code,
    coalesce(tg.territory_code, 'EPCI-200054807') AS territory_code, tg.horizon, tg.value_kind, tg.value_numeric,
    tg.baseline_value, tg.baseline_period, tg.horizon_year,
    (SELECT min(f.filiere_code) FROM target_filieres f WHERE f.target_code = tg.code HAVING count(*) = 1) AS filiere_code
  FROM targets tg JOIN target_indicators ti ON ti.target_code = tg.code
),
sel AS (
  SELECT t.*, s.id AS series_id, s.measure, s.unit FROM t LEFT JOIN LATERAL (
    SELECT s.id, s.measure, s.unit FROM series s
    WHERE s.indicator_code = t.indicator_code AND s.territory_code = t.territory_code
      AND s.breakdown_key = coalesce('filiere=' || t.filiere_code, '') AND s.id IN (SELECT bi.visible_series())
    ORDER BY exists (select 1 from indicators h where h.code = s.indicator_code
      and (starts_with(lower(h.unit), lower(s.unit)) or starts_with(lower(s.unit), lower(h.unit)))) DESC, s.measure
    LIMIT 1
  ) s ON true
),
calc AS (
  SELECT sel.*, lat.period AS latest_period, lat.value AS latest_value, lat.period_end AS latest_end,
    coalesce(sel.baseline_value, (
      SELECT b.value FROM observations b WHERE b.series_id = sel.series_id AND left(b.period, 4) = sel.baseline_period
        AND b.value IS NOT NULL ORDER BY b.period_start DESC LIMIT 1)) AS base_value,
    CASE WHEN sel.baseline_period ~ '^[0-9]{4}' THEN make_date(left(sel.baseline_period, 4)::int, 12, 31) END AS base_end,
    CASE WHEN sel.horizon_year IS NOT NULL THEN make_date(sel.horizon_year, 12, 31) END AS horizon_end
  FROM sel LEFT JOIN LATERAL (
    SELECT l.period, l.value, l.period_end FROM observations l WHERE l.series_id = sel.series_id AND l.value IS NOT NULL
    ORDER BY l.period_start DESC LIMIT 1
  ) lat ON true
),
goal AS (
  SELECT calc.*,
    CASE calc.value_kind
      WHEN 'absolute' THEN calc.value_numeric
      WHEN 'share_percent' THEN calc.value_numeric
      WHEN 'relative_percent' THEN calc.base_value * (1 + calc.value_numeric / 100)
      WHEN 'multiplier' THEN calc.base_value * calc.value_numeric
    END AS target_value
  FROM calc
),
pace AS (
  SELECT goal.*,
    CASE WHEN goal.target_value <> goal.base_value
      THEN (goal.latest_value - goal.base_value) / (goal.target_value - goal.base_value) END AS share_achieved,
    CASE WHEN goal.horizon_end > goal.base_end AND goal.latest_end > goal.base_end
      THEN (goal.latest_end - goal.base_end)::float8 / (goal.horizon_end - goal.base_end) END AS time_elapsed
  FROM goal
)
SELECT target_code, target_label, target_text, horizon, indicator_code, territory_code, filiere_code, series_id,
  measure, unit, base_value AS baseline_value, baseline_period, latest_value, latest_period, target_value,
  share_achieved, time_elapsed,
  CASE WHEN time_elapsed > 0 THEN base_value + (latest_value - base_value) / time_elapsed END AS projected_value,
  CASE
    WHEN value_kind IN ('qualitative', 'rank') OR value_numeric IS NULL THEN 'not_quantified'
    WHEN latest_value IS NULL THEN 'no_data'
    WHEN target_value IS NULL OR base_value IS NULL THEN 'no_baseline'
    WHEN share_achieved >= 1 THEN 'achieved'
    WHEN time_elapsed IS NULL THEN 'pace_unknown'
    WHEN share_achieved >= time_elapsed THEN 'on_track'
    ELSE 'off_track'
  END AS status
FROM pace;
--> statement-breakpoint
COMMENT ON SCHEMA bi IS 'Read-only views of the hub for BI tools (docs/bi.md); rows filtered by the session role''s visibility.';
--> statement-breakpoint
COMMENT ON VIEW bi.observations IS 'One row per current value. is_total false rows are parts of their total: never sum them with it. Sum territories through bi.territory_memberships where summable.';
--> statement-breakpoint
COMMENT ON VIEW bi.target_progress IS 'Progress of each indicator toward each agenda target, as GraphQL progress computes it.';
--> statement-breakpoint
GRANT USAGE ON SCHEMA bi TO hublot_bi;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA bi TO hublot_bi;
