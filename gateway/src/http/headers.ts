/** Request headers as Node hands them over: lower-case names, repeated headers as arrays. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** One header's value, repeated values joined with ',' as SigV4 joins them; undefined when absent. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}
