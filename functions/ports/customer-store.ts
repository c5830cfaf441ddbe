/** Where customers live (DynamoDB): the import writes segment rows; planning reads customers. */
import type { Customer } from '../domain/customer.ts';

/** One row of one segment file, as stored: the customer as that file describes them. */
export interface SegmentRow {
  customer: Customer;
  campaignId: string;
  /** The marketer's label (the row's `segment`, or the file name). */
  label: string;
  source: { key: string; etag: string; line: number };
}

/** Writes rows in batches; the last write of a customer and label wins, even under concurrency. */
export interface CustomerWriter {
  write(row: SegmentRow): Promise<void>;
  /** Resolves when every row written so far is durable. */
  flush(): Promise<void>;
}

export interface CustomerStore {
  openWriter(): CustomerWriter;
}
