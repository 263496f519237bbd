import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../app';
import type { Client } from '../api';
import { EventTypeSelect } from '../components/fields';
import { DataTable } from '../components/list';
import { Done, Empty, ErrorNote, Loading } from '../components/notices';
import { Section } from '../components/section';
import { useAction } from '../components/use-action';
import { apiPath, failuresPath, NO_FILTERS, type FailureFilters } from '../lib/paging';
import { browserOffset, epochSeconds, formatTime } from '../lib/time';

const PAGE_SIZE = 25;

interface Failure {
  timestamp: number;
  url: string;
  reason: string;
  http_status: number | null;
  event: string;
  event_id: string;
  domain: string;
  attempt: number;
  final: boolean;
}

interface Page {
  items: Failure[];
  paging: { first: string; last: string; next: string; previous: string };
}

/** The Failure logs tab: the domain's failed deliveries, newest first, filtered and paged by the API. */
export function FailureLogs({ api, domain }: PageProps) {
  if (!domain) return <Empty>This account has no domains yet, so no failures either.</Empty>;
  return <FailureLog api={api} domain={domain.name} />;
}

function FailureLog({ api, domain }: { api: Client; domain: string }) {
  const [filters, setFilters] = useState<FailureFilters>(NO_FILTERS);
  /** The path of the page shown: the first page for the filters, then the API's paging links. */
  const [path, setPath] = useState(() => failuresPath(domain, NO_FILTERS, PAGE_SIZE));
  const [page, setPage] = useState<Page | null>(null);
  const [pageNumber, setPageNumber] = useState(1);
  const [noOlder, setNoOlder] = useState(false);
  const fetching = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const loading = fetching.busy || (page === null && fetching.error === null);
  const error = fetching.error;

  /** One GET of a page; `show` decides whether (and how) it replaces the page shown. */
  const fetchPage = (target: string, show: (answer: Page) => boolean) => {
    setNotice(null);
    return fetching.run(async () => {
      const answer = await api.get<Page>(target);
      if (show(answer)) {
        setPage(answer);
        setPath(target);
      }
    });
  };

  useEffect(() => {
    void fetchPage(path, () => true);
  }, []);

  const apply = (next: FailureFilters) => {
    setFilters(next);
    setPageNumber(1);
    setNoOlder(false);
    void fetchPage(failuresPath(domain, next, PAGE_SIZE), () => true);
  };
  const refresh = () => void fetchPage(path, () => true);
  /** Older: the API's `next` link. An empty page ends the walk: the page shown stays. */
  const older = () =>
    page &&
    void fetchPage(apiPath(page.paging.next), (answer) => {
      if (answer.items.length === 0) {
        setNoOlder(true);
        setNotice('These are the oldest failures in this range.');
        return false;
      }
      setPageNumber((n) => n + 1);
      return true;
    });
  const newer = () =>
    page &&
    void fetchPage(apiPath(page.paging.previous), () => {
      setPageNumber((n) => Math.max(1, n - 1));
      setNoOlder(false);
      return true;
    });

  const items = page?.items ?? [];
  const lastPage = noOlder || (page !== null && items.length < PAGE_SIZE);

  return (
    <Section
      title="Failure logs"
      about={
        <>
          Deliveries to your URLs for <strong>{domain}</strong> that did not succeed, newest first. Final
          failures (rejected with 406, or given up on after the last retry) can be sent again.
        </>
      }
      action={
        <button type="button" class="button" onClick={refresh} disabled={loading}>
          Refresh
        </button>
      }
    >
      <Filters initial={filters} onApply={apply} />
      {notice && (
        <p class="note" role="status">
          {notice}
        </p>
      )}
      {error && <ErrorNote>{error}</ErrorNote>}
      {loading && !page && <Loading what="failures" />}
      {page && items.length === 0 && <Empty>No failures in this range</Empty>}
      {items.length > 0 && (
        <DataTable
          class="failures"
          caption={`Failed webhook deliveries of ${domain}, newest first`}
          busy={loading}
          columns={['Time', 'URL', 'Event', 'Reason', { label: 'Attempt', className: 'num' }, 'Final']}
        >
          {items.map((f) => (
            <tr key={`${f.event_id} ${f.url} ${f.attempt}`}>
              <td class="nowrap">
                <time dateTime={new Date(f.timestamp * 1000).toISOString()}>
                  {formatTime(f.timestamp, browserOffset)}
                </time>
              </td>
              <td class="url">{f.url}</td>
              <td>
                <span class="tag">{f.event}</span>
              </td>
              <td class="reason">{f.reason}</td>
              <td class="num" data-label="Attempt">
                {f.attempt}
              </td>
              <td data-label="Final">
                {f.final ? <span class="badge bad">Yes</span> : <span class="muted">No</span>}
              </td>
              <td>{f.final && <Resend api={api} domain={domain} failure={f} />}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {page && (items.length > 0 || pageNumber > 1) && (
        <nav class="pager" aria-label="Failure log pages">
          <button type="button" class="button" onClick={newer} disabled={pageNumber === 1 || loading}>
            Newer
          </button>
          <span class="muted">Page {pageNumber}</span>
          <button type="button" class="button" onClick={older} disabled={lastPage || loading}>
            Older
          </button>
        </nav>
      )}
    </Section>
  );
}

function Filters(props: { initial: FailureFilters; onApply: (filters: FailureFilters) => void }) {
  const [event, setEvent] = useState(props.initial.event);
  const [url, setUrl] = useState(props.initial.url);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    props.onApply({
      event,
      url,
      begin: from === '' ? null : epochSeconds(from, browserOffset),
      end: to === '' ? null : epochSeconds(to, browserOffset),
    });
  };
  const reset = () => {
    setEvent('');
    setUrl('');
    setFrom('');
    setTo('');
    props.onApply(NO_FILTERS);
  };
  return (
    <form class="filters" onSubmit={submit} aria-label="Filter failures">
      <EventTypeSelect value={event} onChange={setEvent} anyLabel="Any event" />
      <label class="field grow">
        <span>URL</span>
        <input
          type="text"
          inputMode="url"
          placeholder="Any URL"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>From</span>
        <input type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>To</span>
        <input type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <div class="actions">
        <button type="button" class="button ghost" onClick={reset}>
          Clear
        </button>
        <button type="submit" class="button primary">
          Apply filters
        </button>
      </div>
    </form>
  );
}

function Resend(props: { api: Client; domain: string; failure: Failure }) {
  const resend = useAction();
  const [sent, setSent] = useState<string | null>(null);
  const path =
    `/v3/domains/${encodeURIComponent(props.domain)}/webhook-failures/` +
    `${encodeURIComponent(props.failure.event_id)}/resend`;
  const send = () => {
    setSent(null);
    void resend.run(async () => {
      const answer = await props.api.call<{ deliveries: number }>({
        method: 'POST',
        path,
        form: [['url', props.failure.url]],
      });
      setSent(`Resent (${answer.deliveries} ${answer.deliveries === 1 ? 'delivery' : 'deliveries'}).`);
    });
  };
  return (
    <div class="row-actions">
      <button type="button" class="button small" onClick={send} disabled={resend.busy}>
        {resend.busy ? 'Resending…' : 'Resend'}
      </button>
      {sent && <Done>{sent}</Done>}
      {resend.error && <ErrorNote>{resend.error}</ErrorNote>}
    </div>
  );
}
