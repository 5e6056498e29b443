export { verifyPostPolicy, verifyRequest } from './verify.js';
export { verifyBodySignedRequest } from './body-signed.js';
export { requireSigV4ForKms, type PostPolicyV2 } from './sigv2.js';
export type { PostPolicyV4 } from './post-policy-v4.js';
export { createPayloadHashCheck } from './payload-hash.js';
export { createAwsChunkedDecoder, type AwsChunkedDecoderStream, type TrailerChecksum } from './aws-chunked.js';
export type {
  AuthContext,
  Credentials,
  PayloadMode,
  SigV4Request,
  StreamingSigningState,
  VerifiedAuth,
  VerifyOptions,
} from './types.js';
