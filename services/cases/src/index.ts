export { CasesModule } from './cases.module';
export { createCasesApp, type CasesAppOptions } from './app';
export { startCases, CASES, systemClock, type Cases, type CasesOptions } from './cases';
export { loadCasesConfig, type CasesConfig } from './config';
export { DEFAULT_POLICY_FILE, defaultPolicy, loadPolicy, parsePolicy, type SlaPolicy } from './sla/policy';
export { PolicyError } from './errors';
export { readCustomerCases } from './read-model/customer-cases';
