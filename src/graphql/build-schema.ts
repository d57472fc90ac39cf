import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { guardResolvers } from "../errors";
import { AccessResolver, ViewerResolver } from "./access/access.resolver";
import { AgendaNodeResolver } from "./agenda/agenda.resolver";
import { AggregateResolver } from "./analysis/aggregate.resolver";
import { FiliereResolver, NafCodeResolver } from "./filiere/filiere.resolver";
import { IndicatorResolver } from "./indicator/indicator.resolver";
import { BaselineResolver, TargetResolver } from "./indicator/target.resolver";
import {
  DatasetResolver,
  IngestResourceEventResolver,
  IngestRunResolver,
  IngestSourceResolver,
  IngestStreamResolver,
} from "./ingest/ingest.resolver";
import { PartnerResolver } from "./partner/partner.resolver";
import { ObservationResolver, SeriesResolver } from "./series/series.resolver";
import { SiteResolver } from "./site/site.resolver";
import { TerritoryResolver } from "./territory/territory.resolver";

export const resolvers = [
  IndicatorResolver,
  TargetResolver,
  BaselineResolver,
  SeriesResolver,
  ObservationResolver,
  AggregateResolver,
  TerritoryResolver,
  FiliereResolver,
  NafCodeResolver,
  SiteResolver,
  PartnerResolver,
  DatasetResolver,
  AgendaNodeResolver,
  IngestSourceResolver,
  IngestStreamResolver,
  IngestRunResolver,
  IngestResourceEventResolver,
  ViewerResolver,
  AccessResolver,
] as const;

/** The hub's schema, every resolver wrapped so that no unexpected error text reaches a client. */
export async function buildHublotSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({ resolvers, validate: false });
  const query = schema.getQueryType();
  if (query)
    query.description =
      "Hublot: the indicators of the Aix-Marseille-Provence economic agenda (2022-2028), their series and observations, territories, filières, sites, partners, the agenda's tree, and the freshness of every source.";
  const mutation = schema.getMutationType();
  if (mutation)
    mutation.description =
      "Changes: API keys (admins), the visibility of a dataset (its owner or admins). Partner files are submitted over HTTP (POST /partners/datasets/{code}/submissions).";
  return guardResolvers(schema);
}
