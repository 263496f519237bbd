import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads what `load` answers whenever `deps` change (and on reload), keeping the last data while it reloads;
 * an answer that arrives after a newer request started is dropped.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    setLoading(true);
    setError(null);
    load().then(
      (value) => {
        if (mine !== latest.current) return;
        setData(value);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== latest.current) return;
        setError(errorText(err));
        setLoading(false);
      },
    );
    // `load` is a new closure each render; `deps` say when it means something new.
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload };
}
