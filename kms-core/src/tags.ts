// TagResource, UntagResource, ListResourceTags, and the tag rules CreateKey shares: keys of
// 1..128 and values of 0..256 characters, no duplicate keys in one request, the `aws:` prefix
// reserved, at most 50 tags on a key. Tagging refuses a key pending deletion; listing works in
// every state. A tag whose key is already there has its value replaced.

import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { draftKey, requireNotPendingDeletion } from './key-records.js';
import { validateKeyId } from './lifecycle.js';
import { paginate } from './paging.js';
import type { Tag } from './records.js';
import { authorizedKey } from './resolve.js';
import type { Caller, ListResourceTagsInput, ListResourceTagsOutput, TagResourceInput, UntagResourceInput } from './types.js';
import { Violations } from './validate.js';

export const MAX_TAGS_PER_KEY = 50;

export function validateTagShapes(violations: Violations, tags: Tag[] | undefined): void {
  (tags ?? []).forEach((tag, i) => {
    violations.length(`tags.${i + 1}.member.tagKey`, tag.TagKey, 1, 128);
    violations.length(`tags.${i + 1}.member.tagValue`, tag.TagValue, 0, 256);
  });
}

/** `existing` merged with `added` under AWS's tag rules. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const tag of added) {
    if (tag.TagKey.toLowerCase().startsWith('aws:')) throw new KmsError('TagException', 'Tags beginning with aws: are reserved');
    if (seen.has(tag.TagKey)) throw new KmsError('TagException', 'Duplicate tag keys');
    seen.add(tag.TagKey);
  }
  const merged = existing.filter((t) => !seen.has(t.TagKey)).concat(added.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })));
  if (merged.length > MAX_TAGS_PER_KEY) {
    throw new KmsError('LimitExceededException', `A KMS key can have at most ${MAX_TAGS_PER_KEY} tags.`);
  }
  return merged;
}

export async function tagResource(ctx: CoreContext, input: TagResourceInput, caller: Caller): Promise<void> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('tags', input.Tags);
  validateTagShapes(violations, input.Tags);
  violations.throwIfAny();
  const key = await authorizedKey(ctx, input.KeyId, { allowAlias: false, action: 'TagResource', caller, check: requireNotPendingDeletion });
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    requireNotPendingDeletion(draft);
    draft.tags = mergeTags(draft.tags, input.Tags);
  });
}

export async function untagResource(ctx: CoreContext, input: UntagResourceInput, caller: Caller): Promise<void> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('tagKeys', input.TagKeys);
  (input.TagKeys ?? []).forEach((k, i) => violations.length(`tagKeys.${i + 1}.member`, k, 1, 128));
  violations.throwIfAny();
  const key = await authorizedKey(ctx, input.KeyId, { allowAlias: false, action: 'UntagResource', caller, check: requireNotPendingDeletion });
  const removed = new Set(input.TagKeys);
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    requireNotPendingDeletion(draft);
    draft.tags = draft.tags.filter((t) => !removed.has(t.TagKey));
  });
}

export async function listResourceTags(ctx: CoreContext, input: ListResourceTagsInput, caller: Caller): Promise<ListResourceTagsOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.range('limit', input.Limit, 1, 50);
  violations.length('marker', input.Marker, 1, 1024);
  violations.throwIfAny();
  const key = await authorizedKey(ctx, input.KeyId, { allowAlias: false, action: 'ListResourceTags', caller });
  const page = paginate(key.tags, (t) => t.TagKey, input.Limit ?? 50, input.Marker);
  return {
    Tags: page.items.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
    Truncated: page.truncated,
    ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
  };
}
