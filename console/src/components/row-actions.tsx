import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { describeTest } from '../lib/webhooks';
import { Confirm } from './confirm';
import { useAction } from './use-action';

/**
 * A webhook row's `Test` and `Delete`: the test's answer (status code and the start of the target's body)
 * shown under the buttons; Delete asks first, in a dialog that says what goes.
 */
export function RowActions(props: {
  /** Sends the test, or null when it cannot be sent (why: `testDisabled`). */
  test: (() => Promise<{ code: number; message: string }>) | null;
  testDisabled?: string;
  remove: () => Promise<void>;
  /** The dialog's words: what stops when this webhook goes. */
  deleteText: ComponentChildren;
}) {
  const testing = useAction();
  const [answer, setAnswer] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const deleting = useAction();

  const test = () => {
    const send = props.test;
    if (!send) return;
    setAnswer(null);
    void testing.run(async () => {
      const result = await send();
      setAnswer({ ok: result.code >= 200 && result.code < 300, text: describeTest(result) });
    });
  };
  const shown = answer ?? (testing.error === null ? null : { ok: false, text: testing.error });

  return (
    <div class="row-actions">
      <div class="buttons">
        <button
          type="button"
          class="button small"
          onClick={test}
          disabled={testing.busy || !props.test}
          title={props.test ? undefined : props.testDisabled}
        >
          {testing.busy ? 'Testing…' : 'Test'}
        </button>
        <button
          type="button"
          class="button small danger-outline"
          onClick={() => {
            deleting.setError(null);
            setConfirming(true);
          }}
        >
          Delete
        </button>
      </div>
      {shown && (
        <p class={shown.ok ? 'test-result ok' : 'test-result bad'} role="status">
          Test: {shown.text}
        </p>
      )}
      {confirming && (
        <Confirm
          title="Delete this webhook?"
          confirmLabel={deleting.busy ? 'Deleting…' : 'Delete'}
          danger
          busy={deleting.busy}
          onConfirm={() =>
            void deleting.run(async () => {
              await props.remove();
              setConfirming(false);
            })
          }
          onCancel={() => setConfirming(false)}
        >
          {props.deleteText}
          {deleting.error && (
            <p class="note error" role="alert">
              {deleting.error}
            </p>
          )}
        </Confirm>
      )}
    </div>
  );
}
