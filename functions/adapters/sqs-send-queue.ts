/** On AWS the send queue is SQS: one message per shard, read by the send worker Lambda. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SendQueue, ShardMessage } from '../usecases/send-wave.ts';

export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(messages: ShardMessage[]): Promise<void> {
    for (let start = 0; start < messages.length; start += 10) {
      let entries = messages.slice(start, start + 10).map((message, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(message),
      }));
      for (let attempt = 0; entries.length > 0; attempt += 1) {
        const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
        if (entries.length > 0 && attempt >= 5) throw new Error(`could not enqueue ${entries.length} shard messages`);
      }
    }
  }
}
