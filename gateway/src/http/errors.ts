/**
 * The S3 error catalogue and the one place where internal errors become S3 errors.
 *
 * Every failure that reaches a client leaves through `toS3Error()`: operations and
 * middleware throw either an `S3Error` (already an S3 code) or one of the internal
 * error classes of kms-core, storage or the object format, and the error middleware
 * converts it here. Anything unknown becomes `InternalError` without leaking its text.
 */

export interface S3ErrorSpec {
  readonly status: number;
  readonly message: string;
}

/** S3 error codes with their HTTP status and AWS's default message. */
export const S3_ERRORS = {
  AccessControlListNotSupported: { status: 400, message: 'The bucket does not allow ACLs' },
  AccessDenied: { status: 403, message: 'Access Denied' },
  AccessForbidden: { status: 403, message: 'CORSResponse: This CORS request is not allowed.' },
  AuthorizationHeaderMalformed: { status: 400, message: 'The authorization header is malformed.' },
  AuthorizationQueryParametersError: { status: 400, message: 'Error parsing the query-string authentication parameters.' },
  BadRequest: { status: 400, message: 'Bad Request' },
  BadDigest: { status: 400, message: 'The Content-MD5 you specified did not match what we received.' },
  BucketAlreadyExists: { status: 409, message: 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.' },
  BucketAlreadyOwnedByYou: { status: 409, message: 'Your previous request to create the named bucket succeeded and you already own it.' },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty' },
  EntityTooSmall: { status: 400, message: 'Your proposed upload is smaller than the minimum allowed object size.' },
  EntityTooLarge: { status: 400, message: 'Your proposed upload exceeds the maximum allowed size' },
  IncompleteBody: { status: 400, message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  InvalidAccessKeyId: { status: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' },
  InvalidArgument: { status: 400, message: 'Invalid Argument' },
  InvalidBucketAclWithObjectOwnership: { status: 400, message: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting" },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  InvalidDigest: { status: 400, message: 'The Content-MD5 you specified was invalid.' },
  InvalidEncryptionAlgorithmError: { status: 400, message: 'The Encryption request you specified is not valid. Supported value: AES256.' },
  IllegalLocationConstraintException: { status: 400, message: 'The location constraint is incompatible for the region specific endpoint this request was sent to.' },
  InvalidLocationConstraint: { status: 400, message: 'The specified location-constraint is not valid' },
  InvalidPart: { status: 400, message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag." },
  InvalidPartNumber: { status: 416, message: 'The requested partnumber is not satisfiable' },
  InvalidPartOrder: { status: 400, message: 'The list of parts was not in ascending order. Parts must be ordered by part number.' },
  InvalidPolicyDocument: { status: 400, message: 'The content of the form does not meet the conditions specified in the policy document.' },
  InvalidRange: { status: 416, message: 'The requested range is not satisfiable' },
  InvalidRedirectLocation: { status: 400, message: "The website redirect location must have a prefix of 'http://' or 'https://' or '/'." },
  InvalidRequest: { status: 400, message: 'Invalid Request' },
  InvalidStorageClass: { status: 400, message: 'The storage class you specified is not valid' },
  KeyTooLongError: { status: 400, message: 'Your key is too long' },
  MalformedACLError: { status: 400, message: 'The XML you provided was not well-formed or did not validate against our published schema' },
  MalformedPOSTRequest: { status: 400, message: 'The body of your POST request is not well-formed multipart/form-data.' },
  MalformedTrailerError: { status: 400, message: 'The request contained trailing data that was not well-formed or did not conform to our published schema.' },
  MalformedPolicy: { status: 400, message: 'Policies must be valid JSON and the first byte must be \'{\'' },
  MalformedXML: { status: 400, message: 'The XML you provided was not well-formed or did not validate against our published schema' },
  // Code and message ("preceeding" included) as S3 sends them, not as its error table words them.
  MaxPostPreDataLengthExceeded: { status: 400, message: 'Your POST request fields preceeding the upload file was too large.' },
  MetadataTooLarge: { status: 400, message: 'Your metadata headers exceed the maximum allowed metadata size.' },
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
  MissingContentLength: { status: 411, message: 'You must provide the Content-Length HTTP header.' },
  MissingSecurityHeader: { status: 400, message: 'Your request was missing a required header' },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist' },
  NoSuchBucketPolicy: { status: 404, message: 'The bucket policy does not exist' },
  NoSuchCORSConfiguration: { status: 404, message: 'The CORS configuration does not exist' },
  NoSuchConfiguration: { status: 404, message: 'The specified configuration does not exist.' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  NoSuchUpload: { status: 404, message: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.' },
  NoSuchVersion: { status: 404, message: 'The specified version does not exist.' },
  NoSuchLifecycleConfiguration: { status: 404, message: 'The lifecycle configuration does not exist' },
  NoSuchTagSet: { status: 404, message: 'The TagSet does not exist' },
  NoSuchWebsiteConfiguration: { status: 404, message: 'The specified bucket does not have a website configuration' },
  NotImplemented: { status: 501, message: 'A header you provided implies functionality that is not implemented' },
  ObjectLockConfigurationNotFoundError: { status: 404, message: 'Object Lock configuration does not exist for this bucket' },
  PreconditionFailed: { status: 412, message: 'At least one of the pre-conditions you specified did not hold' },
  ReplicationConfigurationNotFoundError: { status: 404, message: 'The replication configuration was not found' },
  RequestTimeTooSkewed: { status: 403, message: 'The difference between the request time and the current time is too large.' },
  ServiceUnavailable: { status: 503, message: 'Please reduce your request rate.' },
  SignatureDoesNotMatch: { status: 403, message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' },
  UserKeyMustBeSpecified: { status: 400, message: 'The bucket POST must contain the specified field name. If it is specified, please check the order of the fields.' },
  XAmzContentSHA256Mismatch: { status: 400, message: "The provided 'x-amz-content-sha256' header does not match what was computed." },
  // KMS exceptions met inside an S3 request: S3 answers 400 `KMS.<exception>` with the KMS
  // message. AWS documents the first four; the others follow the same form (best match).
  'KMS.DisabledException': { status: 400, message: 'The KMS key is disabled.' },
  'KMS.InvalidKeyUsageException': { status: 400, message: 'The KMS key cannot be used for this operation.' },
  'KMS.KMSInvalidStateException': { status: 400, message: 'The KMS key is not in a valid state for this operation.' },
  'KMS.NotFoundException': { status: 400, message: 'The KMS key does not exist.' },
  'KMS.ValidationException': { status: 400, message: 'The KMS request was not valid.' },
  'KMS.UnsupportedOperationException': { status: 400, message: 'The KMS does not support this request.' },
  'KMS.LimitExceededException': { status: 400, message: 'A KMS limit was exceeded.' },
  'KMS.AlreadyExistsException': { status: 400, message: 'The KMS resource already exists.' },
  'KMS.InvalidAliasNameException': { status: 400, message: 'The KMS alias name is not valid.' },
  'KMS.MalformedPolicyDocumentException': { status: 400, message: 'The KMS key policy is not valid.' },
  'KMS.InvalidMarkerException': { status: 400, message: 'The KMS paging marker is not valid.' },
  'KMS.UnknownOperationException': { status: 400, message: 'The KMS operation is not known.' },
  'KMS.TagException': { status: 400, message: 'The KMS tags are not valid.' },
  'KMS.DryRunOperationException': { status: 412, message: 'The request would have succeeded, but the DryRun option is set.' },
  'KMS.InvalidImportTokenException': { status: 400, message: 'The KMS import token is not valid.' },
  'KMS.ExpiredImportTokenException': { status: 400, message: 'The KMS import token has expired.' },
  'KMS.IncorrectKeyMaterialException': { status: 400, message: 'The key material does not match the KMS key.' },
} as const satisfies Record<string, S3ErrorSpec>;

export type S3ErrorCode = keyof typeof S3_ERRORS;

/** Extra elements of the error document, in the order given (e.g. BucketName, Key, ArgumentName). */
export type S3ErrorFields = Record<string, string | number>;

export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly status: number;
  readonly fields: S3ErrorFields;
  /** Extra response headers (e.g. none today; kept for Retry-After and the like). */
  readonly headers: Record<string, string>;

  constructor(code: S3ErrorCode, message?: string, fields: S3ErrorFields = {}, headers: Record<string, string> = {}) {
    super(message ?? S3_ERRORS[code].message);
    this.name = 'S3Error';
    this.code = code;
    this.status = S3_ERRORS[code].status;
    this.fields = fields;
    this.headers = headers;
  }
}

/** Precondition at a trust boundary: throws the given S3 error when `cond` is false. */
export function needs(cond: unknown, code: S3ErrorCode, message?: string, fields?: S3ErrorFields): asserts cond {
  if (!cond) throw new S3Error(code, message, fields);
}
