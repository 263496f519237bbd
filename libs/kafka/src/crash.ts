import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';

/** Exit code of a service whose consumer died for good (EX_SOFTWARE): its supervisor starts it again. */
export const CONSUMER_DEAD_EXIT_CODE = 70;

/**
 * Stops the service the way SIGTERM does (consumers stop, what is under way finishes, producers flush
 * the records of work already done) and makes it exit with CONSUMER_DEAD_EXIT_CODE: a dead consumer
 * must not cost the attempt events of POSTs already made.
 */
export function stopWithDeadConsumerCode(): void {
  process.exitCode = CONSUMER_DEAD_EXIT_CODE;
  process.kill(process.pid, 'SIGTERM');
}

/**
 * kafkajs restarts a consumer after errors it deems retriable; after any other error the consumer is
 * gone while the process lives on. A service in that state must not look alive: mark it stopped and
 * exit, so Kubernetes (or whoever runs it) restarts it and it resumes from the committed offsets.
 */
export function onConsumerDeath(
  consumer: Consumer,
  logger: Logger,
  markStopped: () => void,
  die: () => void = stopWithDeadConsumerCode,
): void {
  consumer.on(consumer.events.CRASH, (e) => {
    const { error, restart } = e.payload;
    if (restart) {
      logger.warn({ err: error }, 'consumer crashed; kafkajs restarts it');
      return;
    }
    markStopped();
    logger.fatal({ err: error }, 'consumer died and will not restart');
    die();
  });
}
