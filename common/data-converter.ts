import type { DataConverter } from '@temporalio/common';
import { KeyRing, type PiiKeySettings } from './crypto/key-ring';
import { EncryptionCodec } from './payload-codec';

/** For bundleWorkflowCode: a prebuilt workflow bundle must embed the same failure converter. */
export const FAILURE_CONVERTER_PATH = require.resolve('./data-converter-failures');

/**
 * The one data converter of every Temporal worker and client (API, tests, scripts): payloads
 * encrypted with the PII key ring, failure messages encoded so that they are encrypted too.
 */
export function createDataConverter(pii: Pick<PiiKeySettings, 'encryptionKeys' | 'activeKeyId'>): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(KeyRing.fromSettings(pii))], failureConverterPath: FAILURE_CONVERTER_PATH };
}
