import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (worker, workflow bundle, clients): failure messages and stack traces go into
 * an encoded payload, so the payload codec encrypts them like any other payload.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
