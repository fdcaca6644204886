/** Short names for the API's schemas. */
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

export type DataWarning = Schemas["DataWarning"];
export type FeatureStats = Schemas["FeatureStats"];
export type DataStats = Schemas["DataStats"];

export type Row = Record<string, unknown>;

export type Sweep = Schemas["SweepPublic"];
export type SweepSummary = Schemas["SweepSummaryPublic"];
export type Trial = Schemas["TrialPublic"];
export type SpacePreset = Schemas["SpacePresetPublic"];
export type SweepCreate = Schemas["SweepCreate"];
export type SweepDimension = Schemas["Dimension"];

export type RowsPage = Schemas["RowsPage"];
export type BrowsedRow = Schemas["RowPublic"];
export type Repair = Schemas["Repair"];
