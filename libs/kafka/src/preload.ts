/**
 * What must be in place before kafkajs is first required in a process: `import '@hookpost/kafka/preload'`
 * first in each service's tracing.ts (and in each tool's entry point). kafkajs requires its producer's
 * grouping of messages by partition as soon as it loads (kafkajs/src/producer/sendMessages), so, unlike
 * the record encoder and decoder (createKafka), it cannot be replaced later. Nothing else is loaded here:
 * not kafkajs, nothing of the rest of this library.
 */
import { groupMessagesPerPartition } from './group-messages';
import { isProvided, provideModule } from './provide-module';

const GROUPING = 'kafkajs/src/producer/groupMessagesPerPartition';

provideModule(GROUPING, groupMessagesPerPartition);

/** Whether kafkajs' producer groups its messages with ours (false when kafkajs was loaded before this). */
export function linearGroupingInstalled(): boolean {
  return isProvided(GROUPING, groupMessagesPerPartition);
}
