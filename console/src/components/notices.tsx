import type { ComponentChildren } from 'preact';

/** A loading line, announced politely. */
export const Loading = (props: { what: string }) => (
  <p class="muted loading" role="status">
    <span class="spinner" aria-hidden="true" />
    Loading {props.what}…
  </p>
);

/** An error in words, announced at once; `id` lets a form point at it (aria-describedby). */
export const ErrorNote = (props: { id?: string; children: ComponentChildren }) => (
  <p class="note error" role="alert" id={props.id}>
    {props.children}
  </p>
);

/** What just happened (saved, copied, sent), announced politely. */
export const Done = (props: { children: ComponentChildren }) => (
  <p class="note success" role="status">
    {props.children}
  </p>
);

/** Nothing to show, and what that means. */
export const Empty = (props: { children: ComponentChildren }) => <p class="empty">{props.children}</p>;
