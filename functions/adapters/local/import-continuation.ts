/** Locally a continuation is the same handler run again, soon, in this process (as SQS would). */
import type { ImportContinuation, ImportRef } from '../../ports/import-store.ts';

export class InProcessImportContinuation implements ImportContinuation {
  constructor(private readonly deliver: (body: { continueImport: ImportRef }) => Promise<unknown>) {}

  async continueLater(ref: ImportRef): Promise<void> {
    setImmediate(() => {
      void this.deliver({ continueImport: ref }).catch(() => undefined);
    });
  }
}
