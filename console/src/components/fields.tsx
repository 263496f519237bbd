import type { ComponentChildren } from 'preact';
import { WEBHOOK_EVENT_TYPES } from '../lib/webhooks';
import { ErrorNote } from './notices';

/** A select of the eight event types (and, with `anyLabel`, a first choice of none: ''). */
export function EventTypeSelect(props: {
  value: string;
  onChange: (value: string) => void;
  anyLabel?: string;
}) {
  return (
    <label class="field">
      <span>Event type</span>
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.anyLabel !== undefined && <option value="">{props.anyLabel}</option>}
        {WEBHOOK_EVENT_TYPES.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * A URL, as text: the API checks it (a browser's own URL check would keep its words from the form). `errorId`
 * names the form's error note, which describes the field while there is one.
 */
export function UrlField(props: {
  value: string;
  onInput: (value: string) => void;
  placeholder: string;
  errorId?: string;
  invalid?: boolean;
  autoFocus?: boolean;
}) {
  return (
    <label class="field grow">
      <span>URL</span>
      <input
        type="text"
        inputMode="url"
        placeholder={props.placeholder}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-invalid={props.invalid === true}
        aria-describedby={props.invalid ? props.errorId : undefined}
        autoFocus={props.autoFocus}
      />
    </label>
  );
}

/** A form that saves with one API call: its title, fields, the API's error next to them, Cancel and Save. */
export function SaveForm(props: {
  id: string;
  title: string;
  error: string | null;
  busy: boolean;
  onSave: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  return (
    <form
      class="card form"
      aria-labelledby={`${props.id}-title`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave();
      }}
    >
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      {props.children}
      {props.error !== null && <ErrorNote id={`${props.id}-error`}>{props.error}</ErrorNote>}
      <div class="actions">
        <button type="button" class="button" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
        <button type="submit" class="button primary" disabled={props.busy}>
          {props.busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
