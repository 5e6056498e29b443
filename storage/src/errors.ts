// Typed storage errors. The gateway maps each class to its S3 error code in one place;
// storage itself knows nothing of HTTP.

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NoSuchBucketError extends StorageError {
  constructor(readonly bucket: string) {
    super(`bucket does not exist: ${bucket}`);
  }
}

export class BucketExistsError extends StorageError {
  constructor(readonly bucket: string) {
    super(`bucket already exists: ${bucket}`);
  }
}

export class BucketNotEmptyError extends StorageError {
  constructor(readonly bucket: string) {
    super(`bucket is not empty: ${bucket}`);
  }
}

export class NoSuchKeyError extends StorageError {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`no such key in bucket ${bucket}`);
  }
}

export class KeyTooLongError extends StorageError {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`key longer than 1024 bytes in bucket ${bucket}`);
  }
}

export class NoSuchUploadError extends StorageError {
  constructor(
    readonly bucket: string,
    readonly uploadId: string,
  ) {
    super(`no such multipart upload in bucket ${bucket}`);
  }
}

/** A completion named a part attempt that another upload of that part number replaced. */
export class PartChangedError extends StorageError {
  constructor(readonly partNumber: number) {
    super(`part ${partNumber} changed while the upload was being completed`);
  }
}
