-- Who sees what: the one statement of the visibility rule. The API's repositories (src/graphql/scope.ts),
-- the exports and the SQL roles of the BI access all read series_visible_to(role, partner), so GraphQL,
-- CSV and SQL cannot disagree. Roles: anonymous, partner (with its partner code), analyst, admin.
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_visibility_check"
  CHECK ("visibility" IN ('public', 'restricted', 'private'));--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_visibility_check"
  CHECK ("visibility" IS NULL OR "visibility" IN ('public', 'restricted', 'private'));--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_role_check"
  CHECK ("role" IN ('partner', 'analyst', 'admin'));--> statement-breakpoint
-- public: everyone; restricted: the owner, the partners it is shared with, analysts; private: the owner;
-- an embargo hides it from all but the owner until it passes; admins see everything.
CREATE FUNCTION hub_may_see(visibility text, owner_partner text, shared_with text[], embargo_until timestamptz,
    caller_role text, caller_partner text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(
    caller_role = 'admin'
    OR (caller_role = 'partner' AND caller_partner = owner_partner)
    OR ((embargo_until IS NULL OR embargo_until <= now()) AND (
      visibility = 'public'
      OR (visibility = 'restricted' AND (caller_role = 'analyst'
        OR (caller_role = 'partner' AND caller_partner = ANY (shared_with)))))),
    false)
$$;--> statement-breakpoint
-- The reach of every series: its own when it overrides its dataset's (all three columns at once), else
-- its dataset's; the owner is always the dataset's partner. A series of no dataset is public.
CREATE VIEW series_reach AS
  SELECT s.id AS series_id, s.dataset_code, d.partner_code AS owner_partner,
    CASE WHEN s.visibility IS NOT NULL THEN s.visibility ELSE coalesce(d.visibility, 'public') END AS visibility,
    CASE WHEN s.visibility IS NOT NULL THEN coalesce(s.shared_with, '{}') ELSE coalesce(d.shared_with, '{}') END
      AS shared_with,
    CASE WHEN s.visibility IS NOT NULL THEN s.embargo_until ELSE d.embargo_until END AS embargo_until
  FROM series s LEFT JOIN datasets d ON d.code = s.dataset_code;--> statement-breakpoint
CREATE FUNCTION series_visible_to(caller_role text, caller_partner text) RETURNS SETOF integer
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT r.series_id FROM series_reach r
  WHERE hub_may_see(r.visibility, r.owner_partner, r.shared_with, r.embargo_until, caller_role, caller_partner)
$$;--> statement-breakpoint
CREATE FUNCTION datasets_visible_to(caller_role text, caller_partner text) RETURNS SETOF text
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT d.code FROM datasets d
  WHERE hub_may_see(d.visibility, d.partner_code, d.shared_with, d.embargo_until, caller_role, caller_partner)
$$;
--> statement-breakpoint
-- The bi views' row filter (migration bi_views) becomes the same rule: a login role recorded in
-- bi_login_roles sees its partner's slice; any other session user sees what anonymous callers see.
CREATE OR REPLACE FUNCTION bi.visible_series() RETURNS SETOF integer
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
  SELECT v.id FROM series_visible_to(
    CASE WHEN EXISTS (SELECT 1 FROM bi_login_roles r WHERE r.role_name = session_user) THEN 'partner' ELSE 'anonymous' END,
    (SELECT r.partner_code FROM bi_login_roles r WHERE r.role_name = session_user)) AS v(id)
$$;
