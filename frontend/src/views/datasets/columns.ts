/**
 * A dataset column as the Datasets view shows it, from a draft's feature or a saved version's
 * spec, plus what each feature type looks like (label, colour, width in the table).
 */
import type { DraftFeature, FeatureSpec, FeatureType, NormalizationStats, SequenceEncoding } from "../../api/types";

export interface Column {
  name: string;
  source: string;
  file: string | null;
  type: FeatureType;
  detectedType: FeatureType | null;
  shape: number[];
  sequence: SequenceEncoding | null;
  normalization: "none" | "zscore" | "minmax";
  categories: string[] | null;
  tensorShape: number[] | null;
  stats: NormalizationStats | null;
}

export function columnOfDraft(feature: DraftFeature): Column {
  return {
    name: feature.name,
    source: feature.source,
    file: feature.file,
    type: feature.type,
    detectedType: feature.detected_type,
    shape: feature.shape,
    sequence: feature.sequence,
    normalization: feature.normalization,
    categories: feature.categories,
    tensorShape: feature.tensor_shape,
    stats: feature.normalization_stats,
  };
}

export function columnOfSpec(feature: FeatureSpec): Column {
  return {
    name: feature.name,
    source: feature.source,
    file: null,
    type: feature.type,
    detectedType: null,
    shape: feature.shape ?? [],
    sequence: feature.sequence ?? null,
    normalization: feature.normalization ?? "none",
    categories: feature.categories ?? null,
    tensorShape: null,
    stats: feature.stats ?? null,
  };
}

interface TypeLook {
  label: string;
  color: string;
  width: number; // px of a table column
}

export const TYPE_LOOKS: Record<FeatureType, TypeLook> = {
  integer: { label: "Integer", color: "indigo", width: 100 },
  float: { label: "Float", color: "violet", width: 140 },
  categorical: { label: "Categorical", color: "orange", width: 110 },
  string: { label: "Text", color: "gray", width: 160 },
  sequence: { label: "Sequence", color: "teal", width: 400 },
  array: { label: "Array", color: "cyan", width: 150 },
  multilabel: { label: "Multi-label", color: "pink", width: 160 },
};

export const FEATURE_TYPES = Object.keys(TYPE_LOOKS) as FeatureType[];

export const isNumeric = (type: FeatureType) => type === "integer" || type === "float";

export const NORMALIZATIONS = [
  { value: "none", label: "None" },
  { value: "zscore", label: "Standardize" },
  { value: "minmax", label: "Min-max" },
];

/** What a model sees per example, e.g. "4 × 70" (null until the draft can be prepared). */
export function shapeText(shape: number[] | null): string | null {
  return shape && shape.length ? shape.join(" × ") : null;
}
