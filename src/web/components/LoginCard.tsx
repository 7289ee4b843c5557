import type { ComponentChildren } from 'preact';

/** The one card on a screen with no session: the mark, a title, and what to do. */
export function LoginCard({ title, testid, class: extra, children }: { title: string; testid: string; class?: string; children: ComponentChildren }) {
  return (
    <main class="center-screen">
      <section class={extra ? `card login ${extra}` : 'card login'} data-testid={testid}>
        <svg viewBox="0 0 24 24" aria-hidden="true" class="brand-mark large">
          <path d="M12 1l2.6 8.4L23 12l-8.4 2.6L12 23l-2.6-8.4L1 12l8.4-2.6z" />
        </svg>
        <h1>{title}</h1>
        {children}
      </section>
    </main>
  );
}
