export const PAGES = [
  { id: 'overview', label: 'Overview' },
  { id: 'models', label: 'Models' },
  { id: 'projects', label: 'Projects' },
  // On a phone's row of tabs, the shorter name.
  { id: 'providers', label: 'Providers & GPU', short: 'Providers' },
  { id: 'settings', label: 'Settings' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

/** The top bar: the name, the pages (a scrollable row on a phone), the daemon's version. */
export function Nav({ page, version }: { page: PageId; version: string }) {
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <a class="brand" href="#/overview" aria-label="Lodestar overview">
          <svg viewBox="0 0 24 24" aria-hidden="true" class="brand-mark">
            <path d="M12 1l2.6 8.4L23 12l-8.4 2.6L12 23l-2.6-8.4L1 12l8.4-2.6z" />
          </svg>
          Lodestar
        </a>
        <nav class="tabs" aria-label="Pages">
          {PAGES.map((item) => (
            <a key={item.id} href={`#/${item.id}`} class="tab" data-testid={`nav-${item.id}`} aria-current={item.id === page ? 'page' : undefined}>
              {'short' in item ? (
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
      </div>
    </header>
  );
}
