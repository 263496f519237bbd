let recorded = false;

/**
 * Whether spans are recorded (an OTLP endpoint is configured for traces). Without, every span is a
 * non-recording one that only carries its parent's context on: the per-message helpers of trace-context
 * then skip making spans and pass the context on as such, with the same headers out.
 */
export function spansRecorded(): boolean {
  return recorded;
}

/** Set by startTelemetry (and by tests that record spans). */
export function setSpansRecorded(value: boolean): void {
  recorded = value;
}
