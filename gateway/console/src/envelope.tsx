// A picture of one object's envelope, from the gateway's envelope sub-resource (non-secret
// metadata only): KMS key → key material version → wrapped data key (fingerprint) bound to
// the encryption context → the GWSE segments of ciphertext that data key protects.
import { childrenNamed, objectPath, textOf, type Session } from './api.js';
import { Section, Show, shortId, useLoad } from './ui.js';

interface Envelope {
  sse: string;
  kmsKey?: string;
  wrappingKeyId: string;
  materialVersion: string;
  blobLength: string;
  blobSha256: string;
  context: [string, string][];
  format: string;
  segmentSize: string;
  segments: number;
  streams: { part: string; size: string; segments: number }[];
}

async function loadEnvelope(session: Session, bucket: string, key: string): Promise<Envelope> {
  const doc = await session.s3Xml(objectPath(bucket, key), 'x-kmsgate-envelope');
  const dataKey = doc.querySelector('DataKey')!;
  return {
    sse: textOf(doc, 'ServerSideEncryption') ?? '',
    kmsKey: textOf(doc, 'SSEKMSKeyId'),
    wrappingKeyId: textOf(dataKey, 'WrappingKeyId') ?? '',
    materialVersion: textOf(dataKey, 'KeyMaterialVersion') ?? '',
    blobLength: textOf(dataKey, 'BlobLength') ?? '',
    blobSha256: textOf(dataKey, 'BlobSha256') ?? '',
    context: childrenNamed(doc, 'EncryptionContext > Entry').map((e) => [textOf(e, 'Key') ?? '', textOf(e, 'Value') ?? '']),
    format: textOf(doc, 'Format') ?? '',
    segmentSize: textOf(doc, 'SegmentSize') ?? '',
    segments: Number(textOf(doc, 'ObjectEnvelope > SegmentCount')),
    streams: childrenNamed(doc, 'Stream').map((s) => ({ part: textOf(s, 'PartNumber') ?? '', size: textOf(s, 'PlaintextSize') ?? '', segments: Number(textOf(s, 'SegmentCount')) })),
  };
}

/** At most this many segment squares are drawn per stream; the rest are counted. */
const DRAWN = 48;

export function EnvelopeView({ session, bucket, objectKey }: { session: Session; bucket: string; objectKey: string }) {
  const [loaded] = useLoad(() => loadEnvelope(session, bucket, objectKey), [bucket, objectKey]);
  return (
    <Section title={`Envelope of ${objectKey}`}>
      <Show loaded={loaded}>
        {(e) => (
          <div class="envelope" data-envelope={objectKey}>
            <div class="layer kms">
              <h4>KMS key</h4>
              <p>{e.kmsKey ?? 'S3-owned key (SSE-S3)'}</p>
              <p>key material version <strong data-field="material-version">{e.materialVersion}</strong></p>
            </div>
            <div class="arrow">wraps ↓</div>
            <div class="layer dek">
              <h4>Data key (wrapped, {e.blobLength} bytes)</h4>
              <p>SHA-256 <code data-field="blob-sha256">{e.blobSha256}</code></p>
              <p class="muted">blob names key {shortId(e.wrappingKeyId)}; the plaintext key never leaves a request</p>
              <table class="context">
                <thead><tr><th colSpan={2}>bound to encryption context</th></tr></thead>
                <tbody>{e.context.map(([k, v]) => <tr key={k}><td>{k}</td><td>{v}</td></tr>)}</tbody>
              </table>
            </div>
            <div class="arrow">protects ↓</div>
            <div class="layer data">
              <h4><span data-field="segments">{e.segments}</span> GWSE segment{e.segments === 1 ? '' : 's'} of ciphertext ({e.format}, {e.segmentSize}-byte segments, AES-256-GCM each)</h4>
              {e.streams.map((s) => (
                <div class="stream" key={s.part}>
                  <span class="muted">{s.part === '0' ? 'object' : `part ${s.part}`}: {s.size} bytes</span>
                  <div class="segments">
                    {Array.from({ length: Math.min(s.segments, DRAWN) }, (_, i) => <span key={i} class="segment" />)}
                    {s.segments > DRAWN && <span class="muted"> +{s.segments - DRAWN}</span>}
                  </div>
                </div>
              ))}
            </div>
          </div>
        )}
      </Show>
    </Section>
  );
}
