/** kafkajs' connection request queue (not part of its typed API): what the idle-poll fix touches. */
declare module 'kafkajs/src/network/requestQueue' {
  class RequestQueue {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    scheduleCheckPendingRequests(): void;
  }
  export = RequestQueue;
}
