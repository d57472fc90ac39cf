/**
 * The indicator and measure pairs a dedicated stream loads. A partner file may not write them: the
 * series key (indicator, territory, measure, breakdown) would be the stream's, so whichever loaded last
 * would take the series over and each run of the other would write a revision. The partner-csv reader
 * refuses such rows by line and column. Kept as plain data, without importing the connectors, so no
 * import cycle forms with the port (which reuses this folder's reader); test/ingest/sources/partner-csv
 * checks it against the connectors' own constants and the registry.
 */

export interface DedicatedMeasures {
  /** The stream(s) that load these series. */
  streams: readonly string[];
  indicatorCode: string;
  measures: readonly string[];
}

export const DEDICATED_MEASURES: readonly DedicatedMeasures[] = [
  { streams: ["insee-bdm.unemployment-rate"], indicatorCode: "unemployment_rate", measures: ["rate"] },
  { streams: ["dares.jobseekers"], indicatorCode: "unemployment_rate", measures: ["jobseekers"] },
  {
    streams: ["urssaf.commune-ape"],
    indicatorCode: "net_job_creation",
    // The second is derived after each load (ingest/sources/urssaf/derive.ts).
    measures: ["private_salaried_jobs", "private_salaried_jobs_net_change"],
  },
  {
    streams: ["urssaf.commune-ape"],
    indicatorCode: "avg_private_firm_size",
    measures: ["employer_establishments", "avg_jobs_per_establishment"],
  },
  {
    streams: ["urssaf.departement-grand-secteur", "urssaf.zone-emploi"],
    indicatorCode: "net_job_creation",
    measures: ["private_salaried_jobs_sa", "private_salaried_jobs_raw"],
  },
  {
    streams: ["insee-melodi.legal-population"],
    indicatorCode: "legal_population",
    measures: ["municipal_population", "total_population", "population_counted_apart"],
  },
  {
    streams: ["insee-melodi.business-creations"],
    indicatorCode: "business_creations",
    measures: ["creations"],
  },
  {
    streams: ["insee-melodi.flores-a38"],
    indicatorCode: "net_job_creation",
    measures: ["salaried_jobs_all_employers"],
  },
  {
    streams: ["insee-melodi.flores-a38"],
    indicatorCode: "avg_private_firm_size",
    measures: ["employer_establishments_all_employers"],
  },
  {
    streams: ["insee-melodi.youth-employment"],
    indicatorCode: "youth_employment_rate",
    // The third is derived after each load (ingest/sources/insee-melodi/derive.ts).
    measures: ["employed_15_24", "population_15_24", "rate"],
  },
  {
    streams: ["insee-melodi.diplomas"],
    indicatorCode: "qualification_level",
    measures: ["population_15_plus_out_of_school"],
  },
  { streams: ["mesr.students"], indicatorCode: "student_count", measures: ["enrolled_students"] },
  {
    streams: ["atmosud.cigale"],
    indicatorCode: "ghg_emissions",
    measures: ["ghg_emissions", "ghg_emissions_per_inhabitant"],
  },
  {
    streams: ["atmosud.cigale"],
    indicatorCode: "renewable_share_final_consumption",
    measures: ["final_energy_consumption"],
  },
  { streams: ["atmosud-indice.daily"], indicatorCode: "air_quality_index", measures: ["atmo_index"] },
  {
    streams: ["dgac.airport-traffic"],
    indicatorCode: "port_calls_and_intl_air_traffic",
    measures: ["air_passengers", "air_freight_mail_tonnes", "aircraft_movements"],
  },
  {
    streams: ["port.traffic"],
    indicatorCode: "port_calls_and_intl_air_traffic",
    measures: ["port_calls", "cargo_tonnes", "containers_teu", "passengers"],
  },
];

/** The reader's `reserved` rule: indicator → measure → the stream(s) owning it. */
export function reservedMeasures(
  list: readonly DedicatedMeasures[] = DEDICATED_MEASURES,
): Record<string, Record<string, string>> {
  const reserved: Record<string, Record<string, string>> = {};
  for (const { streams, indicatorCode, measures } of list) {
    reserved[indicatorCode] ??= {};
    for (const m of measures) reserved[indicatorCode][m] = streams.join(" and ");
  }
  return reserved;
}
