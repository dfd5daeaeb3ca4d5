export { CasesModule } from './cases.module';
export { createCasesApp, type CasesAppOptions } from './app';
export { startCases, openCasesReader, CASES, systemClock, type Cases, type CasesOptions, type CasesReader } from './cases';
export { CASES_CONSUMER_GROUP, loadCasesConfig, loadCasesServiceConfig, type CasesConfig, type CasesServiceConfig } from './config';
export { DEFAULT_POLICY_FILE, defaultPolicy, loadPolicy, parsePolicy, type SlaPolicy } from './sla/policy';
export { PolicyError } from './errors';
export { readCustomerCases } from './read-model/customer-cases';
