import { Box, Text, useApp, useInput, useStdin, useWindowSize } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { dashboardLines } from './dashboard-lines.js';
import { initialState, withBudgets, withEvent, withExperiments, withHealth, withProblem, withUsage, type DashboardState } from './dashboard-state.js';

type UsageReport = Parameters<typeof withUsage>[1];

/** What the daemon has to say, over its HTTP API: the dashboard knows nothing of its modules. */
export interface DashboardSource {
  /** Today's and this month's usage, the budgets and /health; rejects with why when the daemon is unreachable. */
  snapshot(): Promise<{ url: string; today: UsageReport; month: UsageReport; budgets: Parameters<typeof withBudgets>[1]; health: Record<string, unknown>; experiments?: Parameters<typeof withExperiments>[1] }>;
  health(): Promise<Record<string, unknown>>;
  /** /api/events; `onEnd` when the stream ends (the daemon stopped). Resolves with the unsubscribe. */
  subscribe(onEvent: (event: { type: string; data: unknown }) => void, onEnd: (problem: string) => void): Promise<() => void>;
}

export interface DashboardTimings {
  /** Redraws at most this often, however many events arrive. */
  throttleMs: number;
  healthMs: number;
  usageMs: number;
  retryMs: number;
}

export const DEFAULT_TIMINGS: DashboardTimings = { throttleMs: 250, healthMs: 5000, usageMs: 30_000, retryMs: 2000 };

export function DashboardView(props: { state: DashboardState; width: number; height: number; compact: boolean }) {
  const lines = dashboardLines(props.state, { width: props.width, height: props.height, compact: props.compact });
  return (
    <Box flexDirection="column">
      {lines.map((line, index) => (
        <Text key={index} wrap="truncate" {...(line.color ? { color: line.color } : {})} {...(line.bold ? { bold: true } : {})}>
          {line.text || ' '}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The live dashboard: a snapshot, then every event from /api/events, /health every few seconds
 * and the month's usage every half minute. Events change the state at once but the screen at
 * most every `throttleMs`. When the daemon goes away it says so and reconnects by itself.
 * q (or Ctrl-C) quits.
 */
export function DashboardApp(props: { source: DashboardSource; compact?: boolean; timings?: Partial<DashboardTimings>; width?: number }) {
  const timings = { ...DEFAULT_TIMINGS, ...props.timings };
  const { exit } = useApp();
  const size = useWindowSize();
  const state = useRef<DashboardState>(initialState());
  const [, setFrame] = useState(0);
  const redrawTimer = useRef<NodeJS.Timeout | undefined>(undefined);

  // Keys need a terminal; piped into something else, the dashboard just runs until stopped.
  const { isRawModeSupported } = useStdin();
  useInput(
    (input) => {
      if (input === 'q') exit();
    },
    { isActive: isRawModeSupported === true },
  );

  useEffect(() => {
    let stopped = false;
    let unsubscribe: (() => void) | undefined;
    const timers = new Set<NodeJS.Timeout>();
    const later = (run: () => void, ms: number): void => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopped) run();
      }, ms);
      timers.add(timer);
    };
    const redraw = (): void => {
      if (redrawTimer.current || stopped) return;
      redrawTimer.current = setTimeout(() => {
        redrawTimer.current = undefined;
        if (!stopped) setFrame((frame) => frame + 1);
      }, timings.throttleMs);
    };
    const update = (change: (current: DashboardState) => DashboardState): void => {
      state.current = { ...change(state.current), updatedAt: new Date().toISOString() };
      redraw();
    };
    const fail = (problem: string): void => {
      unsubscribe?.();
      unsubscribe = undefined;
      update((current) => withProblem(current, problem));
      later(connect, timings.retryMs);
    };
    const connect = async (): Promise<void> => {
      try {
        const snapshot = await props.source.snapshot();
        if (stopped) return;
        update((current) => withExperiments(withBudgets(withUsage(withHealth({ ...current, url: snapshot.url }, snapshot.health), snapshot.today, snapshot.month), snapshot.budgets), snapshot.experiments));
        unsubscribe = await props.source.subscribe((event) => update((current) => withEvent(current, event)), fail);
        if (stopped) unsubscribe();
      } catch (error) {
        if (!stopped) fail(error instanceof Error ? error.message : String(error));
      }
    };
    const refreshHealth = (): void => {
      if (state.current.connected) {
        props.source.health().then(
          (health) => update((current) => withHealth(current, health)),
          () => undefined,
        );
      }
      later(refreshHealth, timings.healthMs);
    };
    const refreshUsage = (): void => {
      if (state.current.connected) {
        props.source.snapshot().then(
          (snapshot) => update((current) => withExperiments(withBudgets(withUsage(current, snapshot.today, snapshot.month), snapshot.budgets), snapshot.experiments)),
          () => undefined,
        );
      }
      later(refreshUsage, timings.usageMs);
    };
    void connect();
    later(refreshHealth, timings.healthMs);
    later(refreshUsage, timings.usageMs);
    return () => {
      stopped = true;
      unsubscribe?.();
      for (const timer of timers) clearTimeout(timer);
      if (redrawTimer.current) clearTimeout(redrawTimer.current);
    };
  }, []);

  return <DashboardView state={state.current} width={props.width ?? size.columns} height={size.rows} compact={props.compact === true} />;
}
