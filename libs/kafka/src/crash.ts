import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';

/** Exit code of a service whose consumer died for good (EX_SOFTWARE): its supervisor starts it again. */
export const CONSUMER_DEAD_EXIT_CODE = 70;

/**
 * kafkajs restarts a consumer after errors it deems retriable; after any other error the consumer is
 * gone while the process lives on. A service in that state must not look alive: mark it stopped and
 * exit, so Kubernetes (or whoever runs it) restarts it and it resumes from the committed offsets.
 */
export function onConsumerDeath(
  consumer: Consumer,
  logger: Logger,
  markStopped: () => void,
  die: () => void = () => setTimeout(() => process.exit(CONSUMER_DEAD_EXIT_CODE), 100).unref(),
): void {
  consumer.on(consumer.events.CRASH, (e) => {
    const { error, restart } = e.payload;
    if (restart) {
      logger.warn({ err: error }, 'consumer crashed; kafkajs restarts it');
      return;
    }
    markStopped();
    logger.fatal({ err: error }, 'consumer died and will not restart; exiting');
    die();
  });
}
