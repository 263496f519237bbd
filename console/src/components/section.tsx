import type { ComponentChildren } from 'preact';

/** A block of a page: its heading, what it is about, the button that adds to it, then its content. */
export function Section(props: {
  title: string;
  about?: ComponentChildren;
  action?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <div class="block">
      <div class="block-head">
        <div>
          <h2>{props.title}</h2>
          {props.about && <p class="muted">{props.about}</p>}
        </div>
        {props.action}
      </div>
      {props.children}
    </div>
  );
}

/** The button that opens a section's form (disabled while it is open). */
export function OpenButton(props: { label: string; open: boolean; primary?: boolean; onOpen: () => void }) {
  return (
    <button
      type="button"
      class={props.primary ? 'button primary' : 'button'}
      aria-expanded={props.open}
      onClick={props.onOpen}
      disabled={props.open}
    >
      {props.label}
    </button>
  );
}
