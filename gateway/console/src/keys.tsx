// KMS keys the user may see: state, aliases, and for one key its policy, grants and
// rotations, each read with the KMS API call that AWS clients use (a refusal shows as such).
import { useState } from 'preact/hooks';
import type { Session } from './api.js';
import { ErrorLine, Section, Show, errorText, useLoad } from './ui.js';

interface KeyMetadata {
  KeyId: string;
  Arn: string;
  KeyState: string;
  Description?: string;
  KeyManager?: string;
  CreationDate?: number;
}

interface KeyRow {
  id: string;
  metadata?: KeyMetadata;
  error?: unknown;
  aliases: string[];
}

async function loadKeys(session: Session): Promise<KeyRow[]> {
  const listed = await session.kms<{ Keys?: { KeyId: string }[] }>('ListKeys');
  const aliases = await session.kms<{ Aliases?: { AliasName: string; TargetKeyId?: string }[] }>('ListAliases').catch(() => ({ Aliases: [] }));
  return Promise.all((listed.Keys ?? []).map(async ({ KeyId }) => {
    const names = (aliases.Aliases ?? []).filter((a) => a.TargetKeyId === KeyId).map((a) => a.AliasName);
    try {
      const { KeyMetadata } = await session.kms<{ KeyMetadata: KeyMetadata }>('DescribeKey', { KeyId });
      return { id: KeyId, metadata: KeyMetadata, aliases: names };
    } catch (error) {
      return { id: KeyId, error, aliases: names };
    }
  }));
}

export function KeysPage({ session }: { session: Session }) {
  const [keys, reload] = useLoad(() => loadKeys(session), []);
  const [open, setOpen] = useState<string | undefined>();
  return (
    <>
      <Section title="KMS keys">
        <Show loaded={keys}>
          {(rows) => (
            <table>
              <thead><tr><th>Key</th><th>Aliases</th><th>State</th><th>Manager</th><th>Description</th></tr></thead>
              <tbody>
                {rows.map((k) => (
                  <tr key={k.id} data-key={k.id}>
                    <td><button class="link" onClick={() => setOpen(k.id)}>{k.id}</button></td>
                    <td>{k.aliases.join(', ')}</td>
                    <td class={`state ${k.metadata?.KeyState ?? ''}`}>{k.metadata ? k.metadata.KeyState : errorText(k.error)}</td>
                    <td>{k.metadata?.KeyManager}</td>
                    <td>{k.metadata?.Description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Show>
      </Section>
      {open && <KeyDetails session={session} keyId={open} changed={reload} />}
    </>
  );
}

function Json({ value }: { value: unknown }) {
  return <pre>{JSON.stringify(value, null, 2)}</pre>;
}

function KeyDetails({ session, keyId, changed }: { session: Session; keyId: string; changed: () => void }) {
  const [round, setRound] = useState(0);
  const [key] = useLoad(() => session.kms<{ KeyMetadata: KeyMetadata }>('DescribeKey', { KeyId: keyId }), [keyId, round]);
  const [policy] = useLoad(async () => JSON.parse((await session.kms<{ Policy: string }>('GetKeyPolicy', { KeyId: keyId, PolicyName: 'default' })).Policy) as unknown, [keyId]);
  const [grants] = useLoad(async () => (await session.kms<{ Grants?: unknown[] }>('ListGrants', { KeyId: keyId })).Grants ?? [], [keyId]);
  const [rotations] = useLoad(async () => {
    const status = await session.kms<{ KeyRotationEnabled: boolean; RotationPeriodInDays?: number }>('GetKeyRotationStatus', { KeyId: keyId }).catch(() => undefined);
    const listed = await session.kms<{ Rotations?: { RotationDate: number; RotationType: string }[] }>('ListKeyRotations', { KeyId: keyId });
    return { status, rotations: listed.Rotations ?? [] };
  }, [keyId]);
  const [error, setError] = useState<unknown>();
  const setState = (operation: 'EnableKey' | 'DisableKey') => {
    setError(undefined);
    session.kms(operation, { KeyId: keyId }).then(() => { setRound((r) => r + 1); changed(); }, setError);
  };
  return (
    <Section title={`Key ${keyId}`}>
      <Show loaded={key}>
        {({ KeyMetadata: k }) => (
          <p>
            {k.Arn} · state <strong data-field="key-state">{k.KeyState}</strong>{' '}
            {k.KeyState === 'Enabled' && <button onClick={() => setState('DisableKey')}>Disable key</button>}
            {k.KeyState === 'Disabled' && <button onClick={() => setState('EnableKey')}>Enable key</button>}
          </p>
        )}
      </Show>
      <ErrorLine error={error} />
      <div class="columns">
        <div><h4>Key policy</h4><Show loaded={policy}>{(p) => <Json value={p} />}</Show></div>
        <div>
          <h4>Grants</h4>
          <Show loaded={grants}>{(g) => (g.length === 0 ? <p class="muted">No grants.</p> : <Json value={g} />)}</Show>
          <h4>Rotations</h4>
          <Show loaded={rotations}>
            {(r) => (
              <>
                <p>{r.status ? (r.status.KeyRotationEnabled ? `Automatic rotation every ${r.status.RotationPeriodInDays} days` : 'Automatic rotation off') : ''}</p>
                {r.rotations.length === 0 ? <p class="muted">Never rotated.</p> : (
                  <ul>{r.rotations.map((x) => <li key={x.RotationDate}>{new Date(x.RotationDate * 1000).toISOString()} ({x.RotationType})</li>)}</ul>
                )}
              </>
            )}
          </Show>
        </div>
      </div>
    </Section>
  );
}
