import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.js';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="status loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="status empty">{children}</p>;
}

/** The whole screen while the session loads, or why it could not. */
export function ScreenStatus({ error, retry, what }: { error: ApiError | undefined; retry: () => void; what: string }) {
  return <main class="center-screen">{error ? <ErrorNote error={error} retry={retry} /> : <Loading what={what} />}</main>;
}

/** The daemon's own message for a call that failed. */
export function ErrorNote({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div class="notice error" role="alert">
      <span>{error.message}</span>
      {retry && (
        <button type="button" class="button small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Badge({ tone, children, title }: { tone: 'good' | 'warn' | 'bad' | 'info' | 'muted'; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge ${tone}`} title={title}>
      {children}
    </span>
  );
}
