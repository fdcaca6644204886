/** Short names for the deployment schemas, and the predictions, whose shape depends on the model. */
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type Deployment = Schemas["DeploymentPublic"];
export type DeploymentWithToken = Schemas["DeploymentWithToken"];
export type Usage = Schemas["DeploymentUsagePublic"];
export type UsageMinute = Schemas["UsageMinute"];

export type FieldStats = Schemas["NormalizationStats"];
export type InputField = Schemas["InputField"];
export type OutputField = Schemas["OutputField"];
export type DeploymentSchema = Schemas["ModelSchemaPublic"];

/** One row's prediction: a number, several numbers, or class → probability, per target. */
export type Prediction = Record<string, number | number[] | Record<string, number>>;

/** What the model changed in an input it accepted (a sequence cut to its window), per row. */
export interface PredictionWarning {
  row: number;
  feature: string;
  code: string;
  message: string;
}

/** A `try` or `forward` answer: a prediction per row, and warnings when there are some. */
export interface Answer {
  rows: Prediction[];
  warnings: PredictionWarning[];
}
