// Buckets and their objects: each bucket's default encryption (GetBucketEncryption), each
// object's encryption (HeadObject), upload through the browser form, download, and the
// object's envelope.
import { useState } from 'preact/hooks';
import { childrenNamed, objectPath, textOf, type Session } from './api.js';
import { EnvelopeView } from './envelope.js';
import { ErrorLine, Section, Show, errorText, shortId, useLoad } from './ui.js';
import { uploadObject } from './upload.js';

interface BucketDefault {
  algorithm?: string;
  kmsKey?: string;
}

async function bucketDefault(session: Session, bucket: string): Promise<BucketDefault> {
  const doc = await session.s3Xml(objectPath(bucket), 'encryption');
  return { algorithm: textOf(doc, 'SSEAlgorithm'), kmsKey: textOf(doc, 'KMSMasterKeyID') };
}

function DefaultEncryption({ session, bucket }: { session: Session; bucket: string }) {
  const [loaded] = useLoad(() => bucketDefault(session, bucket), [bucket]);
  return <Show loaded={loaded}>{(d) => <span>{d.algorithm}{d.kmsKey ? ` · ${shortId(d.kmsKey)}` : ''}</span>}</Show>;
}

export function BucketsPage({ session }: { session: Session }) {
  const [open, setOpen] = useState<string | undefined>();
  const [buckets] = useLoad(async () => childrenNamed(await session.s3Xml('/'), 'Bucket').map((b) => ({ name: textOf(b, 'Name') ?? '', created: textOf(b, 'CreationDate') ?? '' })), []);
  if (open) return <ObjectsPage session={session} bucket={open} back={() => setOpen(undefined)} />;
  return (
    <Section title="Buckets">
      <Show loaded={buckets}>
        {(list) =>
          list.length === 0 ? <p class="muted">No buckets.</p> : (
            <table>
              <thead><tr><th>Bucket</th><th>Created</th><th>Default encryption</th></tr></thead>
              <tbody>
                {list.map((b) => (
                  <tr key={b.name}>
                    <td><button class="link" onClick={() => setOpen(b.name)}>{b.name}</button></td>
                    <td>{b.created}</td>
                    <td><DefaultEncryption session={session} bucket={b.name} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </Section>
  );
}

interface ObjectRow {
  key: string;
  size: string;
  modified: string;
}

function ObjectEncryption({ session, bucket, objectKey }: { session: Session; bucket: string; objectKey: string }) {
  const [loaded] = useLoad(async () => {
    const res = await session.s3('HEAD', objectPath(bucket, objectKey));
    return { sse: res.headers.get('x-amz-server-side-encryption') ?? '', key: res.headers.get('x-amz-server-side-encryption-aws-kms-key-id') ?? undefined };
  }, [bucket, objectKey]);
  return <Show loaded={loaded}>{(e) => <span>{e.sse}{e.key ? ` · ${shortId(e.key)}` : ''}</span>}</Show>;
}

/** A signed GET; the plaintext reaches the user as a file through a blob: URL. */
async function download(session: Session, bucket: string, key: string): Promise<void> {
  const res = await session.s3('GET', objectPath(bucket, key));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = key.slice(key.lastIndexOf('/') + 1);
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function ObjectsPage({ session, bucket, back }: { session: Session; bucket: string; back: () => void }) {
  const [objects, reload] = useLoad(async () => childrenNamed(await session.s3Xml(objectPath(bucket), 'list-type=2'), 'Contents').map((c): ObjectRow => ({ key: textOf(c, 'Key') ?? '', size: textOf(c, 'Size') ?? '', modified: textOf(c, 'LastModified') ?? '' })), [bucket]);
  const [envelopeOf, setEnvelopeOf] = useState<string | undefined>();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const act = (what: Promise<unknown>, done?: string) => {
    setMessage(undefined);
    what.then(() => done && setMessage({ ok: true, text: done }), (err: unknown) => setMessage({ ok: false, text: errorText(err) }));
  };
  return (
    <>
      <p><button class="link" onClick={back}>← Buckets</button></p>
      <Section title={`Bucket ${bucket}`}>
        <p>Default encryption: <DefaultEncryption session={session} bucket={bucket} /></p>
        <UploadForm session={session} bucket={bucket} onDone={(text) => { setMessage({ ok: true, text }); reload(); }} onError={(err) => setMessage({ ok: false, text: errorText(err) })} />
        {message && <p class={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
        <Show loaded={objects}>
          {(list) =>
            list.length === 0 ? <p class="muted">No objects.</p> : (
              <table>
                <thead><tr><th>Key</th><th>Size</th><th>Last modified</th><th>Encryption</th><th></th></tr></thead>
                <tbody>
                  {list.map((o) => (
                    <tr key={o.key}>
                      <td>{o.key}</td>
                      <td>{o.size}</td>
                      <td>{o.modified}</td>
                      <td><ObjectEncryption session={session} bucket={bucket} objectKey={o.key} /></td>
                      <td class="actions">
                        <button onClick={() => act(download(session, bucket, o.key), `Downloaded ${o.key}`)}>Download</button>
                        <button onClick={() => setEnvelopeOf(o.key)}>Envelope</button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Show>
      </Section>
      {envelopeOf !== undefined && <EnvelopeView session={session} bucket={bucket} objectKey={envelopeOf} />}
    </>
  );
}

function UploadForm({ session, bucket, onDone, onError }: { session: Session; bucket: string; onDone: (text: string) => void; onError: (err: unknown) => void }) {
  const [keys] = useLoad(async () => {
    const aliases = await session.kms<{ Aliases?: { AliasName: string; TargetKeyId?: string }[] }>('ListAliases');
    return (aliases.Aliases ?? []).filter((a) => a.TargetKeyId);
  }, []);
  const [busy, setBusy] = useState(false);
  const submit = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const file = data.get('file');
    if (!(file instanceof File) || file.name === '') return onError(new Error('Choose a file to upload.'));
    const key = String(data.get('key') || file.name);
    const sse = String(data.get('sse'));
    const kmsKeyId = sse === 'default' ? undefined : sse === 'key' ? String(data.get('kmsKeyId')) : sse;
    setBusy(true);
    uploadObject(session, { bucket, key, file, kmsKeyId }).then(
      () => { form.reset(); onDone(`Uploaded ${key}`); },
      onError,
    ).finally(() => setBusy(false));
  };
  return (
    <form class="upload" onSubmit={submit}>
      <label>File <input type="file" name="file" /></label>
      <label>Key <input name="key" placeholder="the file's name" /></label>
      <label>Encryption{' '}
        <select name="sse">
          <option value="default">Bucket default</option>
          {keys.state === 'done' && keys.value.map((a) => <option key={a.AliasName} value={a.AliasName}>SSE-KMS {a.AliasName}</option>)}
          <option value="key">SSE-KMS, key id or ARN below</option>
        </select>
      </label>
      <label>KMS key <input name="kmsKeyId" placeholder="key id or ARN" /></label>
      <button type="submit" disabled={busy}>Upload</button>
      {keys.state === 'failed' && <ErrorLine error={keys.error} />}
    </form>
  );
}
