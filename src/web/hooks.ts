import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { asApiError, type ApiError } from './api.js';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  reload: () => void;
  set: (data: T) => void;
}

/**
 * Data loaded from the daemon: loaded when `deps` change, again on reload(); the last data stays
 * on screen while a reload runs, and an answer that arrives after a newer load is dropped.
 */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(() => {
    const mine = ++generation.current;
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      },
      (reason: unknown) => {
        if (mine !== generation.current) return;
        setError(asApiError(reason));
      },
    );
  }, []);

  useEffect(reload, deps);
  useEffect(() => () => void generation.current++, []);
  const set = useCallback((value: T) => {
    generation.current++;
    setData(value);
    setError(undefined);
  }, []);
  return { data, error, reload, set };
}

export type LiveState = 'connecting' | 'live' | 'closed';

/**
 * The daemon's event stream (/api/events): one EventSource while the component is mounted,
 * each named event's JSON data handed to its handler. Handlers may change between renders
 * without reconnecting.
 */
export function useEvents(query: string, handlers: Record<string, (data: unknown) => void>): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;

  useEffect(() => {
    const source = new EventSource(`/api/events?${query}`);
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    const names = Object.keys(handlersRef.current);
    const listeners = names.map((name) => {
      const listener = (event: MessageEvent<string>) => {
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          return;
        }
        handlersRef.current[name]?.(data);
      };
      source.addEventListener(name, listener);
      return listener;
    });
    return () => {
      names.forEach((name, index) => source.removeEventListener(name, listeners[index] as (event: MessageEvent<string>) => void));
      source.close();
    };
  }, [query]);
  return state;
}

/**
 * A function that runs `action` at most once every `intervalMs`: the first call of a quiet
 * spell soon (after `delayMs`), later ones together at the end of the interval. Under steady
 * traffic the page still refreshes every interval (a debounce would wait for a pause that never
 * comes), and never more often.
 */
export function useThrottled(action: () => void, delayMs: number, intervalMs: number): () => void {
  const actionRef = useRef(action);
  actionRef.current = action;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastRun = useRef(0);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current !== undefined) return;
    const wait = Math.max(delayMs, lastRun.current + intervalMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      lastRun.current = Date.now();
      actionRef.current();
    }, wait);
  }, [delayMs, intervalMs]);
}

/** Calls `action` every `intervalMs` while mounted. */
export function useInterval(action: () => void, intervalMs: number): void {
  const actionRef = useRef(action);
  actionRef.current = action;
  useEffect(() => {
    const id = setInterval(() => actionRef.current(), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
}

/** The page of the hash route (#/models → "models"). */
export function useHashRoute(): string {
  const read = () => window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
