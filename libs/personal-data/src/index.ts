export { CIPHERTEXT_PREFIX, isSealed, open, seal } from './cipher';
export { encryptPersonalData, openEvent, openEvents, sealedStore, sealEvent } from './encrypting-store';
export { Keyring, KEYS_SCHEMA, type DataKey, type KeyringStatus } from './keyring';
export { formatMasterKeys, generateMasterKeys, loadMasterKeysFromEnv, MasterKeyError, parseMasterKeys, type MasterKeys } from './master-keys';
