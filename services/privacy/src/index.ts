export { PrivacyModule } from './privacy.module';
export { PRIVACY, startPrivacy, type Privacy, type PrivacyOptions } from './privacy';
export { consentsProjection, CONSENTS_READ_MODEL } from './consents/projection';
export { checkConsents, readConsents, readViolations } from './consents/queries';
