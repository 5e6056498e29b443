// The KMS audit trail through CloudTrail LookupEvents, filtered by key or by user (one lookup
// attribute, as CloudTrail allows), newest first.
import { useState } from 'preact/hooks';
import type { Session } from './api.js';
import { Section, Show, shortId, useLoad } from './ui.js';

interface TrailEvent {
  EventId: string;
  EventName: string;
  EventTime: number;
  Username?: string;
  Resources?: { ResourceName: string }[];
  CloudTrailEvent: string;
}

type Filter = { by: 'none' } | { by: 'ResourceName' | 'Username'; value: string };

export function AuditPage({ session }: { session: Session }) {
  const [filter, setFilter] = useState<Filter>({ by: 'none' });
  const [events] = useLoad(async () => {
    const input = filter.by === 'none' ? {} : { LookupAttributes: [{ AttributeKey: filter.by, AttributeValue: filter.value }] };
    return (await session.cloudTrail<{ Events?: TrailEvent[] }>('LookupEvents', { ...input, MaxResults: 50 })).Events ?? [];
  }, [filter.by, filter.by === 'none' ? '' : filter.value]);
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const by = String(data.get('by'));
    const value = String(data.get('value')).trim();
    setFilter(by === 'none' || value === '' ? { by: 'none' } : { by: by as 'ResourceName' | 'Username', value });
  };
  return (
    <Section title="Audit trail">
      <form class="filter" onSubmit={submit}>
        <label>Filter{' '}
          <select name="by">
            <option value="ResourceName">by key (id or ARN)</option>
            <option value="Username">by user</option>
            <option value="none">none</option>
          </select>
        </label>
        <input name="value" aria-label="Filter value" placeholder="key id, ARN or user name" />
        <button type="submit">Look up</button>
      </form>
      <Show loaded={events}>
        {(list) => (
          <table class="audit">
            <thead><tr><th>Time</th><th>Event</th><th>User</th><th>Key</th><th>Error</th><th>Request id</th></tr></thead>
            <tbody>
              {list.map((e) => {
                const record = JSON.parse(e.CloudTrailEvent) as { errorCode?: string; requestID?: string; userIdentity?: { invokedBy?: string } };
                return (
                  <tr key={e.EventId} class={record.errorCode ? 'refused' : ''}>
                    <td>{new Date(e.EventTime * 1000).toISOString()}</td>
                    <td>{e.EventName}</td>
                    <td>{e.Username ?? ''}{record.userIdentity?.invokedBy ? ` via ${record.userIdentity.invokedBy}` : ''}</td>
                    <td>{(e.Resources ?? []).map((r) => shortId(r.ResourceName)).join(', ')}</td>
                    <td>{record.errorCode ?? ''}</td>
                    <td>{record.requestID ?? ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Show>
    </Section>
  );
}
