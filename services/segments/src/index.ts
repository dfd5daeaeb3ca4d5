export { ValidationError, InsufficientDataError, InvalidInstantError } from './errors';
export {
  bgNbdLogLikelihood,
  bgNbdTotalLogLikelihood,
  fitBgNbd,
  probabilityAlive,
  expectedPurchases,
  BG_NBD_PARAMETERS,
  type BgNbdParameters,
  type BgNbdFit,
  type RepeatSummary,
} from './value-model/bg-nbd';
export {
  gammaGammaLogLikelihood,
  fitGammaGamma,
  expectedAverageSpend,
  GAMMA_GAMMA_PARAMETERS,
  type GammaGammaParameters,
  type GammaGammaFit,
  type SpendSummary,
} from './value-model/gamma-gamma';
export { discountedPurchases, lifetimeValue, type LifetimeValue, type LifetimeValueOptions } from './value-model/lifetime-value';
export { calibrationSummary, type CalibrationSummary, type Purchase } from './value-model/repeat-summary';
export { BOUNDARY_ZERO, BOUNDARY_INFINITY, type BoundaryFlag } from './value-model/maximum-likelihood';
export { parseInstant, DAY_MS, WEEK_MS } from './instants';
export {
  rfmMeasures,
  quintileScores,
  scoreCustomers,
  type OrderFact,
  type RefundFact,
  type RfmMeasures,
  type RfmScores,
  type RfmScoring,
  type ScoredCustomer,
  type ScoreBand,
} from './scoring/rfm-scores';
export { SEGMENT_RULES, SEGMENTS, segmentOf, segmentRuleOf, type Segment, type SegmentRule } from './scoring/segment-map';
export {
  netValue,
  growth,
  DEFAULT_GROWTH,
  type NetValue,
  type ServiceCosts,
  type ServiceFacts,
  type SpendFact,
  type Growth,
  type GrowthOptions,
} from './scoring/value-flags';
export { startSegments, createSegmentsDataSource, SEGMENTS as SEGMENTS_SERVICE, type ConsentCheck, type Segments, type SegmentsOptions, type Recomputed } from './segments';
export { SegmentsModule } from './segments.module';
export { createSegmentsApp, type SegmentsAppOptions } from './app';
export { loadSegmentsConfig, settingsOf, DEFAULT_SETTINGS, type SegmentSettings, type SegmentsConfig } from './config';
