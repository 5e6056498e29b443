// Small shared pieces of the console's pages.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}${err.message ? `: ${err.message}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

export function ErrorLine({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return <p class="error" role="alert">{errorText(error)}</p>;
}

export type Loaded<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'failed'; error: unknown };

/** Runs `load` whenever `deps` change; the page shows its answer or its refusal. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    load().then(
      (value) => live && setResult({ state: 'done', value }),
      (error: unknown) => live && setResult({ state: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return [result, () => setRound((r) => r + 1)];
}

export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }) {
  if (loaded.state === 'loading') return <p class="muted">Loading…</p>;
  if (loaded.state === 'failed') return <ErrorLine error={loaded.error} />;
  return <>{children(loaded.value)}</>;
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

/** The last path segment of an ARN (a key's id). */
export function shortId(arn: string | undefined): string {
  return arn ? arn.slice(arn.lastIndexOf('/') + 1) : '';
}
