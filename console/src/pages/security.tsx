import { useState } from 'preact/hooks';
import type { PageProps } from '../app';
import { Confirm } from '../components/confirm';
import { Done, ErrorNote } from '../components/notices';
import { Section } from '../components/section';
import { useAction } from '../components/use-action';

interface SigningKey {
  http_signing_key: string;
  standard_webhooks_secret: string;
}

/** The Security tab: the HTTP webhook signing key, fetched only when asked for, copyable, rotatable. */
export function Security({ api }: PageProps) {
  const [key, setKey] = useState<SigningKey | null>(null);
  const [shown, setShown] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();

  const show = () => {
    setDone(null);
    if (key) {
      setShown(true);
      return;
    }
    void action.run(async () => {
      setKey(await api.get<SigningKey>('/v5/accounts/http_signing_key'));
      setShown(true);
    });
  };
  const rotate = () => {
    setDone(null);
    void action
      .run(async () => {
        setKey(await api.call<SigningKey>({ method: 'POST', path: '/v5/accounts/http_signing_key' }));
        setShown(true);
        setDone('New signing key generated. Webhooks are signed with it from now on.');
      })
      .then(() => setConfirming(false));
  };
  const copy = (what: string, value: string) => {
    setDone(null);
    void action
      .run(() => navigator.clipboard.writeText(value))
      .then((ok) => {
        if (ok) setDone(`${what} copied to the clipboard.`);
        else
          action.setError(`The browser did not allow copying: select the ${what.toLowerCase()} and copy it.`);
      });
  };

  return (
    <Section
      title="HTTP webhook signing key"
      about="Every webhook carries a signature made with this key (HMAC-SHA256 of timestamp and token). Keep it secret; verify the signature on your endpoint."
    >
      <div class="card secret-card">
        <Secret
          label="Signing key"
          value={shown ? (key?.http_signing_key ?? null) : null}
          onCopy={(v) => copy('Signing key', v)}
        />
        <Secret
          label="Standard Webhooks secret"
          value={shown ? (key?.standard_webhooks_secret ?? null) : null}
          onCopy={(v) => copy('Standard Webhooks secret', v)}
        />
        <div class="actions start">
          {shown ? (
            <button type="button" class="button" onClick={() => setShown(false)}>
              Hide
            </button>
          ) : (
            <button type="button" class="button primary" onClick={show} disabled={action.busy}>
              {action.busy ? 'Loading…' : 'Show'}
            </button>
          )}
          <button
            type="button"
            class="button danger-outline"
            onClick={() => setConfirming(true)}
            disabled={action.busy}
          >
            Rotate
          </button>
        </div>
      </div>
      {action.error && <ErrorNote>{action.error}</ErrorNote>}
      {done && <Done>{done}</Done>}
      {confirming && (
        <Confirm
          title="Rotate the signing key?"
          confirmLabel={action.busy ? 'Rotating…' : 'Rotate key'}
          danger
          busy={action.busy}
          onConfirm={rotate}
          onCancel={() => setConfirming(false)}
        >
          <p>
            A new key replaces the current one at once: webhooks are signed with the new key within a second,
            and signatures made with the old key stop verifying. Update your endpoints right after.
          </p>
        </Confirm>
      )}
    </Section>
  );
}

function Secret(props: { label: string; value: string | null; onCopy: (value: string) => void }) {
  const id = `secret-${props.label.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <div class="secret" role="group" aria-labelledby={id}>
      <span class="secret-label" id={id}>
        {props.label}
      </span>
      <div class="secret-value">
        {props.value === null ? (
          <code class="masked">
            <span aria-hidden="true">••••••••••••••••••••••••</span>
            <span class="sr-only">hidden</span>
          </code>
        ) : (
          <code>{props.value}</code>
        )}
        {props.value !== null && (
          <button
            type="button"
            class="button small"
            aria-label={`Copy ${props.label.toLowerCase()}`}
            onClick={() => props.onCopy(props.value as string)}
          >
            Copy
          </button>
        )}
      </div>
    </div>
  );
}
