import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Done, Empty, ErrorNote, Loading } from './notices';
import { OpenButton, Section } from './section';
import type { Loaded } from './use-load';

/**
 * A section listing what one GET answered, with the button that opens its add form: loading, error and
 * empty states, and what was last done (added, deleted) said above the list.
 */
export function ListSection(props: {
  title: string;
  about: ComponentChildren;
  addLabel: string;
  primary?: boolean;
  loaded: Loaded<unknown>;
  loadingWhat: string;
  empty: ComponentChildren | null;
  /** The add form; `saved` closes it, says what was added and reloads the list. */
  form: (saved: (what: string) => void, cancel: () => void) => ComponentChildren;
  /** The list; `say` tells what a row's action did (the list is reloaded). */
  children: (say: (what: string) => void) => ComponentChildren;
}) {
  const [adding, setAdding] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const { loaded } = props;
  const say = (what: string) => {
    setDone(what);
    loaded.reload();
  };
  return (
    <Section
      title={props.title}
      about={props.about}
      action={
        <OpenButton
          label={props.addLabel}
          primary={props.primary}
          open={adding}
          onOpen={() => {
            setDone(null);
            setAdding(true);
          }}
        />
      }
    >
      {adding &&
        props.form(
          (what) => {
            setAdding(false);
            say(what);
          },
          () => setAdding(false),
        )}
      {done && <Done>{done}</Done>}
      {loaded.error && <ErrorNote>{loaded.error}</ErrorNote>}
      {loaded.loading && !loaded.data && <Loading what={props.loadingWhat} />}
      {loaded.data !== null && props.empty !== null && <Empty>{props.empty}</Empty>}
      {props.children(say)}
    </Section>
  );
}

/** A table that scrolls sideways in its own box; its last column holds each row's buttons. */
export function DataTable(props: {
  caption: string;
  busy: boolean;
  columns: Array<string | { label: string; className: string }>;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table class={props.class} aria-busy={props.busy}>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) =>
              typeof c === 'string' ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.label} scope="col" class={c.className}>
                  {c.label}
                </th>
              ),
            )}
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
