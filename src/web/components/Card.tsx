import type { ComponentChildren } from 'preact';

interface Props {
  title: string;
  /** Beside the title: a badge, a link, a button. */
  aside?: ComponentChildren;
  class?: string;
  testid?: string;
  children: ComponentChildren;
}

export function Card({ title, aside, class: extra, testid, children }: Props) {
  return (
    <section class={extra ? `card ${extra}` : 'card'} data-testid={testid}>
      <header class="card-head">
        <h2>{title}</h2>
        {aside}
      </header>
      {children}
    </section>
  );
}
