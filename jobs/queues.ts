import { FlowProducer, Queue, type QueueOptions } from "bullmq";
import type { Redis } from "ioredis";

/** Queue names (nouns); job names are verb-noun and live beside their payload schema. */
export const QUEUE = {
  diagnostics: "diagnostics",
  training: "training",
  scoring: "scoring",
} as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

export interface Queues {
  prefix: string;
  diagnostics: Queue;
  training: Queue;
  scoring: Queue;
  flows: FlowProducer;
  close(): Promise<void>;
}

/** The producers' side of every queue, sharing one connection. */
export function createQueues(connection: Redis, prefix: string): Queues {
  const opts: QueueOptions = { connection, prefix };
  const diagnostics = new Queue(QUEUE.diagnostics, opts);
  const training = new Queue(QUEUE.training, opts);
  const scoring = new Queue(QUEUE.scoring, opts);
  const flows = new FlowProducer({ connection, prefix });
  return {
    prefix,
    diagnostics,
    training,
    scoring,
    flows,
    close: async () => {
      await Promise.all([diagnostics.close(), training.close(), scoring.close(), flows.close()]);
    },
  };
}
