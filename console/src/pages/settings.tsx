import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../app';
import type { Client } from '../api';
import { Done, ErrorNote, Loading } from '../components/notices';
import { Section } from '../components/section';
import { useAction } from '../components/use-action';
import { useLoad } from '../components/use-load';

interface Features {
  webhooks_redact_pii: { enabled: boolean; inherited: boolean };
  standard_webhooks: { enabled: boolean };
  parent_signature: { enabled: boolean; inherited: boolean };
}

type FeatureName = keyof Features;

interface DomainSettings {
  domain: { name: string; webhooks_redact_pii: boolean };
}

/** The Settings tab: PII redaction (account and domain), Standard Webhooks, parent-signature. */
export function Settings({ api, domain }: PageProps) {
  return (
    <>
      <AccountFeatures api={api} />
      {domain && <DomainPii api={api} domain={domain.name} />}
    </>
  );
}

/**
 * A setting saved with one call: the switch moves at once, the API's answer then confirms it (and says what
 * it is now), or its failure puts the switch back.
 */
function useSaved<T>(initial: T | null) {
  const [value, setValue] = useState<T | null>(initial);
  const [done, setDone] = useState<string | null>(null);
  const saving = useAction();
  const save = (optimistic: T, call: () => Promise<{ value: T; done: string }>) => {
    const before = value;
    setDone(null);
    setValue(optimistic);
    void saving
      .run(async () => {
        const answer = await call();
        setValue(answer.value);
        setDone(answer.done);
      })
      .then((ok) => ok || setValue(before));
  };
  return { value, setValue, done, saving, save };
}

function AccountFeatures({ api }: { api: Client }) {
  const loaded = useLoad(() => api.get<{ features: Features }>('/v5/accounts/features'), [api]);
  const features = useSaved<Features>(null);
  const [changing, setChanging] = useState<FeatureName | null>(null);
  useEffect(() => features.setValue(loaded.data?.features ?? null), [loaded.data]);

  const set = (name: FeatureName, enabled: boolean, what: string) => {
    const current = features.value;
    if (!current) return;
    setChanging(name);
    features.save({ ...current, [name]: { ...current[name], enabled } }, async () => {
      const answer = await api.call<{ features: Features }>({
        method: 'PUT',
        path: '/v5/accounts/features',
        form: [[name, JSON.stringify({ enabled })]],
      });
      return { value: answer.features, done: `${what} ${answer.features[name].enabled ? 'on' : 'off'}.` };
    });
  };

  const f = features.value;
  const busy = features.saving.busy;
  return (
    <Section
      title="Account settings"
      about="How webhooks of every domain of the account are sent. Changes apply within a second."
    >
      {loaded.error && <ErrorNote>{loaded.error}</ErrorNote>}
      {loaded.loading && !f && <Loading what="settings" />}
      {f && (
        <div class="settings">
          <Setting
            label="Redact PII in webhooks"
            checked={f.webhooks_redact_pii.enabled}
            disabled={f.webhooks_redact_pii.inherited || busy}
            busy={busy && changing === 'webhooks_redact_pii'}
            onChange={(on) => set('webhooks_redact_pii', on, 'PII redaction is')}
            inherited={f.webhooks_redact_pii.inherited}
            hint={
              f.webhooks_redact_pii.inherited
                ? `Inherited from the primary account, which has it ${
                    f.webhooks_redact_pii.enabled ? 'on' : 'off'
                  }: only the primary account can change it.`
                : "Recipients' addresses, the To header and IP addresses are replaced by [REDACTED] in the webhooks of all domains, subaccounts' included, from the next attempt on."
            }
          />
          <Setting
            label="Standard Webhooks signatures"
            role="switch"
            checked={f.standard_webhooks.enabled}
            disabled={busy}
            busy={busy && changing === 'standard_webhooks'}
            onChange={(on) => set('standard_webhooks', on, 'Standard Webhooks headers are')}
            hint="Every POST also carries webhook-id, webhook-timestamp and webhook-signature, verifiable with the Standard Webhooks libraries and the secret on the Security tab."
          />
          <Setting
            label="Send parent-signature to subaccounts' URLs"
            role="switch"
            checked={f.parent_signature.enabled}
            disabled={f.parent_signature.inherited || busy}
            busy={busy && changing === 'parent_signature'}
            onChange={(on) => set('parent_signature', on, 'parent-signature is')}
            inherited={f.parent_signature.inherited}
            hint={
              f.parent_signature.inherited
                ? 'Inherited from the primary account: only the primary account can change it.'
                : "Events of subaccounts' domains carry a signature made with this account's key too. Off, URLs the subaccounts own never receive one."
            }
          />
        </div>
      )}
      {features.saving.error && <ErrorNote>{features.saving.error}</ErrorNote>}
      {features.done && <Done>{features.done}</Done>}
    </Section>
  );
}

function DomainPii({ api, domain }: { api: Client; domain: string }) {
  const path = `/v4/domains/${encodeURIComponent(domain)}`;
  const loaded = useLoad(() => api.get<DomainSettings>(path), [api, path]);
  const pii = useSaved<boolean>(null);
  useEffect(() => pii.setValue(loaded.data?.domain.webhooks_redact_pii ?? null), [loaded.data]);
  const set = (on: boolean) =>
    pii.save(on, async () => {
      const answer = await api.call<DomainSettings>({
        method: 'PUT',
        path,
        form: [['webhooks_redact_pii', String(on)]],
      });
      const now = answer.domain.webhooks_redact_pii;
      return { value: now, done: `PII redaction for ${domain} is ${now ? 'on' : 'off'}.` };
    });
  return (
    <Section
      title="Domain settings"
      about={
        <>
          For <strong>{domain}</strong> alone.
        </>
      }
    >
      {loaded.error && <ErrorNote>{loaded.error}</ErrorNote>}
      {loaded.loading && pii.value === null && <Loading what="domain settings" />}
      {pii.value !== null && (
        <div class="settings">
          <Setting
            label={`Redact PII on ${domain} only`}
            checked={pii.value}
            disabled={pii.saving.busy}
            busy={pii.saving.busy}
            onChange={set}
            hint="Redacts this domain's webhooks even when the account setting is off."
          />
        </div>
      )}
      {pii.saving.error && <ErrorNote>{pii.saving.error}</ErrorNote>}
      {pii.done && <Done>{pii.done}</Done>}
    </Section>
  );
}

let settingIds = 0;

function Setting(props: {
  label: string;
  checked: boolean;
  disabled: boolean;
  busy: boolean;
  onChange: (on: boolean) => void;
  hint: string;
  role?: 'switch';
  inherited?: boolean;
}) {
  const [id] = useState(() => `setting-${++settingIds}`);
  return (
    <div class={props.role === 'switch' ? 'setting switch' : 'setting'}>
      <input
        id={id}
        type="checkbox"
        role={props.role}
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={`${id}-hint`}
        aria-busy={props.busy}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <div>
        <label for={id}>
          {props.label}
          {props.inherited && <span class="badge">Inherited</span>}
        </label>
        <p class="muted" id={`${id}-hint`}>
          {props.hint}
        </p>
      </div>
    </div>
  );
}
