export { DEFAULT_RULES_FILE, defaultRuleBook, loadRules, parseRules, RuleBook, type RuleSettings, type RuleVersion, type Tier } from './rules/rules';
export { RulesError } from './errors';
