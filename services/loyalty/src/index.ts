export { DEFAULT_RULES_FILE, defaultRuleBook, loadRules, parseRules, RuleBook, type RuleSettings, type RuleVersion, type Tier } from './rules/rules';
export { RulesError } from './errors';
export { LoyaltyModule } from './loyalty.module';
export { createLoyaltyApp, type LoyaltyAppOptions } from './app';
export { startLoyalty, loyaltyProjections, LOYALTY, type Loyalty, type LoyaltyOptions } from './loyalty';
export { systemClock, type Clock } from './account/account-store';
export { loadLoyaltyConfig, type LoyaltyConfig } from './config';
