import { relations } from "drizzle-orm";
import {
  agendaNodeFilieres,
  agendaNodeIndicators,
  agendaNodeSites,
  agendaNodes,
  agendaNodeTags,
} from "./agenda";
import { filiereNafCodes, filierePartners, filieres, nafCodes } from "./filiere";
import {
  baselineIndicators,
  baselines,
  indicators,
  observationRevisions,
  observations,
  series,
  targetFilieres,
  targetIndicators,
  targetSites,
  targets,
} from "./indicator";
import { ingestResourceEvents, ingestRuns } from "./ingest";
import { datasets, partners } from "./partner";
import { siteFilieres, sitePartners, sites } from "./site";
import { territories, territoryLinks } from "./territory";

export const partnersRelations = relations(partners, ({ many }) => ({
  datasets: many(datasets),
  sites: many(sitePartners),
  filieres: many(filierePartners),
}));

export const datasetsRelations = relations(datasets, ({ one, many }) => ({
  partner: one(partners, { fields: [datasets.partnerCode], references: [partners.code] }),
  series: many(series),
}));

export const territoriesRelations = relations(territories, ({ many }) => ({
  parents: many(territoryLinks, { relationName: "child" }),
  children: many(territoryLinks, { relationName: "parent" }),
  series: many(series),
  sites: many(sites),
}));

export const territoryLinksRelations = relations(territoryLinks, ({ one }) => ({
  child: one(territories, {
    fields: [territoryLinks.childCode],
    references: [territories.code],
    relationName: "child",
  }),
  parent: one(territories, {
    fields: [territoryLinks.parentCode],
    references: [territories.code],
    relationName: "parent",
  }),
}));

export const filieresRelations = relations(filieres, ({ many }) => ({
  nafCodes: many(filiereNafCodes),
  partners: many(filierePartners),
  sites: many(siteFilieres),
  series: many(series),
}));

export const filiereNafCodesRelations = relations(filiereNafCodes, ({ one }) => ({
  filiere: one(filieres, { fields: [filiereNafCodes.filiereCode], references: [filieres.code] }),
  naf: one(nafCodes, { fields: [filiereNafCodes.nafCode], references: [nafCodes.code] }),
}));

export const filierePartnersRelations = relations(filierePartners, ({ one }) => ({
  filiere: one(filieres, { fields: [filierePartners.filiereCode], references: [filieres.code] }),
  partner: one(partners, { fields: [filierePartners.partnerCode], references: [partners.code] }),
}));

export const sitesRelations = relations(sites, ({ one, many }) => ({
  commune: one(territories, { fields: [sites.communeCode], references: [territories.code] }),
  filieres: many(siteFilieres),
  partners: many(sitePartners),
}));

export const siteFilieresRelations = relations(siteFilieres, ({ one }) => ({
  site: one(sites, { fields: [siteFilieres.siteCode], references: [sites.code] }),
  filiere: one(filieres, { fields: [siteFilieres.filiereCode], references: [filieres.code] }),
}));

export const sitePartnersRelations = relations(sitePartners, ({ one }) => ({
  site: one(sites, { fields: [sitePartners.siteCode], references: [sites.code] }),
  partner: one(partners, { fields: [sitePartners.partnerCode], references: [partners.code] }),
}));

export const indicatorsRelations = relations(indicators, ({ one, many }) => ({
  provider: one(partners, { fields: [indicators.providerPartnerCode], references: [partners.code] }),
  series: many(series),
  targets: many(targetIndicators),
  baselines: many(baselineIndicators),
  agendaNodes: many(agendaNodeIndicators),
}));

export const seriesRelations = relations(series, ({ one, many }) => ({
  indicator: one(indicators, { fields: [series.indicatorCode], references: [indicators.code] }),
  territory: one(territories, { fields: [series.territoryCode], references: [territories.code] }),
  filiere: one(filieres, { fields: [series.filiereCode], references: [filieres.code] }),
  dataset: one(datasets, { fields: [series.datasetCode], references: [datasets.code] }),
  observations: many(observations),
  revisions: many(observationRevisions),
}));

export const observationsRelations = relations(observations, ({ one }) => ({
  series: one(series, { fields: [observations.seriesId], references: [series.id] }),
}));

export const observationRevisionsRelations = relations(observationRevisions, ({ one }) => ({
  series: one(series, { fields: [observationRevisions.seriesId], references: [series.id] }),
}));

export const targetsRelations = relations(targets, ({ one, many }) => ({
  territory: one(territories, { fields: [targets.territoryCode], references: [territories.code] }),
  indicators: many(targetIndicators),
  filieres: many(targetFilieres),
  sites: many(targetSites),
}));

export const targetIndicatorsRelations = relations(targetIndicators, ({ one }) => ({
  target: one(targets, { fields: [targetIndicators.targetCode], references: [targets.code] }),
  indicator: one(indicators, { fields: [targetIndicators.indicatorCode], references: [indicators.code] }),
}));

export const targetFilieresRelations = relations(targetFilieres, ({ one }) => ({
  target: one(targets, { fields: [targetFilieres.targetCode], references: [targets.code] }),
  filiere: one(filieres, { fields: [targetFilieres.filiereCode], references: [filieres.code] }),
}));

export const targetSitesRelations = relations(targetSites, ({ one }) => ({
  target: one(targets, { fields: [targetSites.targetCode], references: [targets.code] }),
  site: one(sites, { fields: [targetSites.siteCode], references: [sites.code] }),
}));

export const baselinesRelations = relations(baselines, ({ many }) => ({
  indicators: many(baselineIndicators),
}));

export const baselineIndicatorsRelations = relations(baselineIndicators, ({ one }) => ({
  baseline: one(baselines, { fields: [baselineIndicators.baselineCode], references: [baselines.code] }),
  indicator: one(indicators, { fields: [baselineIndicators.indicatorCode], references: [indicators.code] }),
}));

export const agendaNodesRelations = relations(agendaNodes, ({ one, many }) => ({
  parent: one(agendaNodes, {
    fields: [agendaNodes.parentCode],
    references: [agendaNodes.code],
    relationName: "tree",
  }),
  children: many(agendaNodes, { relationName: "tree" }),
  indicators: many(agendaNodeIndicators),
  filieres: many(agendaNodeFilieres),
  sites: many(agendaNodeSites),
  tags: many(agendaNodeTags, { relationName: "tagged" }),
  taggedNodes: many(agendaNodeTags, { relationName: "tag" }),
}));

export const agendaNodeIndicatorsRelations = relations(agendaNodeIndicators, ({ one }) => ({
  node: one(agendaNodes, { fields: [agendaNodeIndicators.nodeCode], references: [agendaNodes.code] }),
  indicator: one(indicators, { fields: [agendaNodeIndicators.indicatorCode], references: [indicators.code] }),
}));

export const agendaNodeFilieresRelations = relations(agendaNodeFilieres, ({ one }) => ({
  node: one(agendaNodes, { fields: [agendaNodeFilieres.nodeCode], references: [agendaNodes.code] }),
  filiere: one(filieres, { fields: [agendaNodeFilieres.filiereCode], references: [filieres.code] }),
}));

export const agendaNodeSitesRelations = relations(agendaNodeSites, ({ one }) => ({
  node: one(agendaNodes, { fields: [agendaNodeSites.nodeCode], references: [agendaNodes.code] }),
  site: one(sites, { fields: [agendaNodeSites.siteCode], references: [sites.code] }),
}));

export const agendaNodeTagsRelations = relations(agendaNodeTags, ({ one }) => ({
  node: one(agendaNodes, {
    fields: [agendaNodeTags.nodeCode],
    references: [agendaNodes.code],
    relationName: "tagged",
  }),
  tag: one(agendaNodes, {
    fields: [agendaNodeTags.tagCode],
    references: [agendaNodes.code],
    relationName: "tag",
  }),
}));

export const ingestRunsRelations = relations(ingestRuns, ({ many }) => ({
  resources: many(ingestResourceEvents),
}));

export const ingestResourceEventsRelations = relations(ingestResourceEvents, ({ one }) => ({
  run: one(ingestRuns, { fields: [ingestResourceEvents.runId], references: [ingestRuns.id] }),
}));
