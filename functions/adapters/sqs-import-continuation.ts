/** On AWS a continuation is a message on the import queue, picked up by a fresh invocation. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ImportContinuation, ImportRef } from '../ports/import-store.ts';

export class SqsImportContinuation implements ImportContinuation {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async continueLater(ref: ImportRef): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ continueImport: ref }) }),
    );
  }
}
