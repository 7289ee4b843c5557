/** No session: how to get one. Nothing else is fetched. */
export function LoginNeeded() {
  return (
    <main class="center-screen">
      <section class="card login" data-testid="login-needed">
        <svg viewBox="0 0 24 24" aria-hidden="true" class="brand-mark large">
          <path d="M12 1l2.6 8.4L23 12l-8.4 2.6L12 23l-2.6-8.4L1 12l8.4-2.6z" />
        </svg>
        <h1>Not logged in</h1>
        <p>
          Run <code>lodestar ui</code> in a terminal and open the link it prints (the link works once, for a minute).
        </p>
      </section>
    </main>
  );
}
