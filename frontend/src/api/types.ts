/** Short names for the API's schemas, plus the shapes the schema leaves open (stats, warnings). */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type User = Schemas["UserPublic"];
export type Project = Schemas["ProjectPublic"];
export type Member = Schemas["MemberPublic"];
export type Job = Schemas["JobPublic"];
export type ExperimentSummary = Schemas["ExperimentSummary"];
export type Draft = Schemas["DraftPublic"];
export type DraftSummary = Schemas["DraftSummary"];
export type DraftFeature = Schemas["DraftFeaturePublic"];
export type DraftSubset = Schemas["DraftSubsetPublic"];
export type Dataset = Schemas["DatasetPublic"];
export type DatasetSpec = Schemas["DatasetSpec"];
export type FeatureSpec = Schemas["FeatureSpec"];
export type FeatureType = Schemas["FeatureSpec"]["type"];
export type SequenceEncoding = Schemas["SequenceEncoding"];
export type NormalizationStats = Schemas["NormalizationStats"];
export type Version = Schemas["VersionPublic"];
export type VersionSummary = Schemas["VersionSummary"];
export type VersionDiff = Schemas["VersionDiff"];
export type Preview = Schemas["PreviewPublic"];
export type SubsetSpec = Schemas["RandomSubset"] | Schemas["FilterSubset"] | Schemas["RankSubset"];
export type RandomSubset = Schemas["RandomSubset"];
export type FilterSubset = Schemas["FilterSubset"];
export type RankSubset = Schemas["RankSubset"];
export type Condition = Schemas["Condition"];
export type FeatureUpdate = Schemas["FeatureUpdate"];

/** A draft's or version's warning: overlapping subsets, sequence leakage, dropped rows. */
export interface DataWarning {
  code: string;
  message: string;
  subsets?: string[];
  rows?: number;
  feature?: string;
}

/** Statistics of one feature (see `kozak.data.stats`); which keys are present depends on its type. */
export interface FeatureStats {
  count: number;
  mean?: number;
  sd?: number;
  min?: number;
  max?: number;
  histogram?: { counts: number[]; edges?: number[] };
  counts?: Record<string, number>;
  distinct?: number;
  shape?: number[];
  length?: { min: number; max: number; mean: number; counts: Record<string, number> };
  composition?: Record<string, number>;
  per_position?: { window: number; fractions: number[][]; coverage: number[] };
}

/** `{all: {feature: stats}, subsets: {subset: {feature: stats}}}`. */
export interface DataStats {
  all: Record<string, FeatureStats>;
  subsets: Record<string, Record<string, FeatureStats>>;
}

export type Row = Record<string, unknown>;
