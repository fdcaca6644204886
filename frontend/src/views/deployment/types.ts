/** The deployment shapes the OpenAPI schema leaves open: the input/output schema and predictions. */
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type Deployment = Schemas["DeploymentPublic"];
export type DeploymentWithToken = Schemas["DeploymentWithToken"];
export type Usage = Schemas["DeploymentUsagePublic"];
export type UsageMinute = Schemas["UsageMinute"];

/** Normalisation statistics of a numeric feature (on the subset it was normalised on). */
export interface FieldStats {
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** One model input, as `ServingModel.schema()` describes it; the keys present depend on `type`. */
export interface InputField {
  name: string;
  type: "sequence" | "integer" | "float" | "categorical" | "multilabel" | "array" | string;
  alphabet?: string;
  length?: number;
  alignment?: string;
  padding?: number;
  normalization?: string;
  stats?: FieldStats | null;
  categories?: string[];
  shape?: number[];
}

export interface OutputField {
  name: string;
  type: string;
  categories?: string[];
  normalization?: string;
  stats?: FieldStats | null;
}

export interface DeploymentSchema {
  inputs: InputField[];
  outputs: OutputField[];
}

/** One row's prediction: a number, several numbers, or class → probability, per target. */
export type Prediction = Record<string, number | number[] | Record<string, number>>;
