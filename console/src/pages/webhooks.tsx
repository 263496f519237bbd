import { useState } from 'preact/hooks';
import type { PageProps } from '../app';
import type { Client } from '../api';
import { EventTypeSelect, SaveForm, UrlField } from '../components/fields';
import { Empty } from '../components/notices';
import { DataTable, ListSection } from '../components/list';
import { useAction } from '../components/use-action';
import { RowActions } from '../components/row-actions';
import { useLoad } from '../components/use-load';
import {
  addUrlRequest,
  removeUrlRequest,
  testRequest,
  WEBHOOK_EVENT_TYPES,
  webhookRows,
  type DomainWebhooks as DomainWebhooksAnswer,
} from '../lib/webhooks';

interface AccountWebhook {
  webhook_id: string;
  url: string;
  description: string;
  event_types: string[];
  created_at: string;
}

/** The Webhooks tab: the domain's webhooks by event type, then the account-level ones. */
export function Webhooks({ api, domain }: PageProps) {
  return (
    <>
      {domain ? (
        <DomainWebhooks api={api} domain={domain.name} />
      ) : (
        <Empty>This account has no domains yet: its account-level webhooks are below.</Empty>
      )}
      <AccountWebhooks api={api} domain={domain?.name ?? null} />
    </>
  );
}

function DomainWebhooks({ api, domain }: { api: Client; domain: string }) {
  const loaded = useLoad(
    () => api.get<{ webhooks: DomainWebhooksAnswer }>(`/v3/domains/${encodeURIComponent(domain)}/webhooks`),
    [api, domain],
  );
  const webhooks = loaded.data?.webhooks ?? {};
  const rows = webhookRows(webhooks);
  return (
    <ListSection
      title="Domain webhooks"
      about={
        <>
          Events of <strong>{domain}</strong> are POSTed to these URLs, at most three per event type.
        </>
      }
      addLabel="Add webhook"
      primary
      loaded={loaded}
      loadingWhat="webhooks"
      empty={rows.length === 0 ? 'No webhooks on this domain yet. Add one to receive its events.' : null}
      form={(saved, cancel) => (
        <AddDomainWebhook
          api={api}
          domain={domain}
          onSaved={() => saved('Webhook added.')}
          onCancel={cancel}
        />
      )}
    >
      {(say) =>
        rows.length > 0 && (
          <DataTable caption={`Webhooks of ${domain}`} busy={loaded.loading} columns={['Event type', 'URL']}>
            {rows.map((row) => (
              <tr key={`${row.eventType} ${row.url}`}>
                <td>
                  <span class="tag">{row.eventType}</span>
                </td>
                <td class="url">{row.url}</td>
                <td>
                  <RowActions
                    test={() => api.call(testRequest(domain, row.eventType, row.url))}
                    remove={async () => {
                      await api.call(removeUrlRequest(webhooks, domain, row));
                      say('Webhook deleted.');
                    }}
                    deleteText={
                      <p>
                        <strong>{row.eventType}</strong> events of {domain} will no longer be sent to{' '}
                        <span class="url">{row.url}</span>.
                      </p>
                    }
                  />
                </td>
              </tr>
            ))}
          </DataTable>
        )
      }
    </ListSection>
  );
}

function AddDomainWebhook(props: { api: Client; domain: string; onSaved: () => void; onCancel: () => void }) {
  const [eventType, setEventType] = useState<string>(WEBHOOK_EVENT_TYPES[0]);
  const [url, setUrl] = useState('');
  const save = useAction();
  return (
    <SaveForm
      id="add-webhook"
      title={`New webhook for ${props.domain}`}
      error={save.error}
      busy={save.busy}
      onCancel={props.onCancel}
      onSave={() =>
        void save.run(async () => {
          await props.api.call(addUrlRequest(props.domain, eventType, url));
          props.onSaved();
        })
      }
    >
      <div class="fields">
        <EventTypeSelect value={eventType} onChange={setEventType} />
        <UrlField
          value={url}
          onInput={setUrl}
          placeholder="https://example.com/webhooks/mail"
          errorId="add-webhook-error"
          invalid={save.error !== null}
          autoFocus
        />
      </div>
    </SaveForm>
  );
}

function AccountWebhooks({ api, domain }: { api: Client; domain: string | null }) {
  const loaded = useLoad(() => api.get<{ webhooks: AccountWebhook[] }>('/v1/webhooks'), [api]);
  const webhooks = loaded.data?.webhooks ?? [];
  return (
    <ListSection
      title="Account webhooks"
      about="Account-level webhooks fire for every domain of the account (a primary's for its subaccounts' too)."
      addLabel="Add account webhook"
      loaded={loaded}
      loadingWhat="account webhooks"
      empty={webhooks.length === 0 ? 'No account-level webhooks.' : null}
      form={(saved, cancel) => (
        <AddAccountWebhook api={api} onSaved={() => saved('Account webhook added.')} onCancel={cancel} />
      )}
    >
      {(say) =>
        webhooks.length > 0 && (
          <DataTable
            caption="Account-level webhooks"
            busy={loaded.loading}
            columns={['URL', 'Event types', 'Description']}
          >
            {webhooks.map((w) => (
              <tr key={w.webhook_id}>
                <td class="url">{w.url}</td>
                <td>
                  <span class="tags">
                    {w.event_types.map((t) => (
                      <span key={t} class="tag">
                        {t}
                      </span>
                    ))}
                  </span>
                </td>
                <td>{w.description || <span class="muted">—</span>}</td>
                <td>
                  <RowActions
                    test={
                      domain === null
                        ? null
                        : () => api.call(testRequest(domain, w.event_types[0] ?? 'delivered', w.url))
                    }
                    testDisabled="A test sends a sample event of a domain: this account has none."
                    remove={async () => {
                      await api.call({
                        method: 'DELETE',
                        path: `/v1/webhooks/${encodeURIComponent(w.webhook_id)}`,
                      });
                      say('Account webhook deleted.');
                    }}
                    deleteText={
                      <p>
                        No event of any domain of the account will be sent to <span class="url">{w.url}</span>{' '}
                        by this webhook any more.
                      </p>
                    }
                  />
                </td>
              </tr>
            ))}
          </DataTable>
        )
      }
    </ListSection>
  );
}

function AddAccountWebhook(props: { api: Client; onSaved: () => void; onCancel: () => void }) {
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const save = useAction();
  const toggle = (type: string, on: boolean) =>
    setTypes((current) => (on ? [...current, type] : current.filter((t) => t !== type)));
  const form = (): Array<[string, string]> => [
    ['url', url.trim()],
    ...types.map((t): [string, string] => ['event_types', t]),
    ...(description.trim() === '' ? [] : [['description', description.trim()] as [string, string]]),
  ];
  return (
    <SaveForm
      id="add-account-webhook"
      title="New account webhook"
      error={save.error}
      busy={save.busy}
      onCancel={props.onCancel}
      onSave={() =>
        void save.run(async () => {
          await props.api.call({ method: 'POST', path: '/v1/webhooks', form: form() });
          props.onSaved();
        })
      }
    >
      <UrlField
        value={url}
        onInput={setUrl}
        placeholder="https://example.com/webhooks/all-domains"
        errorId="add-account-webhook-error"
        invalid={save.error !== null}
        autoFocus
      />
      <fieldset class="field">
        <legend>Event types</legend>
        <div class="checks">
          {WEBHOOK_EVENT_TYPES.map((t) => (
            <label key={t} class="check">
              <input
                type="checkbox"
                checked={types.includes(t)}
                onChange={(e) => toggle(t, e.currentTarget.checked)}
              />
              {t}
            </label>
          ))}
        </div>
      </fieldset>
      <label class="field">
        <span>Description</span>
        <input
          type="text"
          value={description}
          maxLength={500}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </label>
    </SaveForm>
  );
}
