import { useState } from 'preact/hooks';
import { errorText } from '../api';

export interface Action {
  busy: boolean;
  /** What the last run's failure said, in words; null after a success or before any run. */
  error: string | null;
  /** Runs `action` (one API call, usually): busy meanwhile; true when it succeeded. */
  run: (action: () => Promise<void>) => Promise<boolean>;
  setError: (error: string | null) => void;
}

/** A button's or a form's call to the API, its busy state and its error. */
export function useAction(initialError: string | null = null): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(initialError);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}
