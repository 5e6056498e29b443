/**
 * Answers of the AWS JSON protocols (awsJson1_1: KMS, CloudTrail): the JSON body, its type,
 * the request id in x-amzn-RequestId, and an error's name in x-amzn-ErrorType as SDKs read it.
 */
import type { ServerResponse } from 'node:http';

export const AWS_JSON_TYPE = 'application/x-amz-json-1.1';

export function sendAwsJson(res: ServerResponse, status: number, requestId: string, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'Content-Type': AWS_JSON_TYPE, 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId };
  if (errorType) headers['x-amzn-ErrorType'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}
