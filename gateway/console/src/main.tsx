// The kmsgate console: log in with an access key pair, then buckets, keys and the audit trail,
// every one of them read through the gateway's public APIs signed with that key. The secret is
// kept in this page's memory only (never localStorage, sessionStorage or a cookie): reloading
// the page or signing out forgets it.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, Session, type Login } from './api.js';
import { AuditPage } from './audit.js';
import { BucketsPage } from './buckets.js';
import { KeysPage } from './keys.js';
import { ErrorLine } from './ui.js';

/** Signature and key errors mean the login is wrong; anything else (AccessDenied) is a policy's answer. */
const BAD_LOGIN = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch']);

function regionOfPage(): string {
  return document.querySelector('meta[name="kmsgate-region"]')?.getAttribute('content') ?? 'us-east-1';
}

function LoginPage({ onLogin }: { onLogin: (session: Session) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const login: Login = { accessKeyId: String(data.get('accessKeyId')).trim(), secretAccessKey: String(data.get('secretAccessKey')), region: String(data.get('region')).trim() };
    if (!crypto.subtle) return setError(new Error('This page needs a secure context (https, or http on localhost/127.0.0.1) to sign requests.'));
    const session = new Session(login);
    setBusy(true);
    setError(undefined);
    // ListBuckets proves the key pair: a refusal by policy still means the signature was good.
    session.s3('GET', '/').then(
      () => onLogin(session),
      (err: unknown) => (err instanceof ApiError && !BAD_LOGIN.has(err.code) ? onLogin(session) : setError(err)),
    ).finally(() => setBusy(false));
  };
  return (
    <main class="login">
      <h1>kmsgate console</h1>
      <form onSubmit={submit}>
        <label>Access key ID <input name="accessKeyId" autocomplete="off" required /></label>
        <label>Secret access key <input name="secretAccessKey" type="password" autocomplete="off" required /></label>
        <label>Region <input name="region" value={regionOfPage()} required /></label>
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
      <ErrorLine error={error} />
      <p class="muted">The secret stays in this page's memory and is gone when you sign out or reload.</p>
    </main>
  );
}

type Page = 'buckets' | 'keys' | 'audit';
const PAGES: { id: Page; title: string }[] = [
  { id: 'buckets', title: 'Buckets' },
  { id: 'keys', title: 'Keys' },
  { id: 'audit', title: 'Audit trail' },
];

function App() {
  const [session, setSession] = useState<Session | undefined>();
  const [page, setPage] = useState<Page>('buckets');
  if (!session) return <LoginPage onLogin={setSession} />;
  return (
    <>
      <header>
        <strong>kmsgate</strong>
        <nav>
          {PAGES.map((p) => (
            <button key={p.id} class={p.id === page ? 'tab current' : 'tab'} aria-current={p.id === page ? 'page' : undefined} onClick={() => setPage(p.id)}>{p.title}</button>
          ))}
        </nav>
        <span class="who">{session.login.accessKeyId} · {session.login.region}</span>
        <button onClick={() => setSession(undefined)}>Sign out</button>
      </header>
      <main>
        {page === 'buckets' && <BucketsPage session={session} />}
        {page === 'keys' && <KeysPage session={session} />}
        {page === 'audit' && <AuditPage session={session} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
