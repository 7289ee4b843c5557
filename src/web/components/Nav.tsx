import type { ComponentChildren } from 'preact';

export const PAGES = [
  { id: 'overview', label: 'Overview' },
  { id: 'models', label: 'Models' },
  { id: 'projects', label: 'Projects' },
  // On a phone's row of tabs, the shorter name.
  { id: 'providers', label: 'Providers & GPU', short: 'Providers' },
  { id: 'settings', label: 'Settings' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

export interface NavPage {
  id: string;
  label: string;
  /** On a phone's row of tabs, the shorter name. */
  short?: string;
}

interface Props {
  page: string;
  version: string;
  /** The local UI's pages unless told otherwise (the team server's admin pages have their own). */
  pages?: readonly NavPage[];
  /** Beside the name: "admin" on the admin pages. */
  badge?: string;
  /** After the version: a logout button. */
  children?: ComponentChildren;
}

/** The top bar: the name, the pages (a scrollable row on a phone), the version. */
export function Nav({ page, version, pages = PAGES, badge, children }: Props) {
  const home = pages[0];
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <a class="brand" href={`#/${home?.id ?? ''}`} aria-label={`Lodestar ${badge ? `${badge} ` : ''}${home?.label.toLowerCase() ?? ''}`}>
          <svg viewBox="0 0 24 24" aria-hidden="true" class="brand-mark">
            <path d="M12 1l2.6 8.4L23 12l-8.4 2.6L12 23l-2.6-8.4L1 12l8.4-2.6z" />
          </svg>
          Lodestar
          {badge && <span class="brand-badge">{badge}</span>}
        </a>
        <nav class="tabs" aria-label="Pages">
          {pages.map((item) => (
            <a key={item.id} href={`#/${item.id}`} class="tab" data-testid={`nav-${item.id}`} aria-current={item.id === page ? 'page' : undefined}>
              {item.short ? (
                <>
                  <span class="tab-long">{item.label}</span>
                  <span class="tab-short">{item.short}</span>
                </>
              ) : (
                item.label
              )}
            </a>
          ))}
        </nav>
        <span class="version">v{version}</span>
        {children}
      </div>
    </header>
  );
}
