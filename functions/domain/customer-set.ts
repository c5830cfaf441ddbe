/**
 * The customers a plan is made from: last row wins per customer_id, labels gathered
 * from every file a customer appears in, repeats counted.
 */
import type { Customer } from './customer.ts';

export interface CustomerSetStats {
  /** Rows that repeated a customer_id already seen in the same file (the last row won). */
  repeatsInFile: number;
  /** Rows whose customer_id was already seen in an earlier file (the later row won; labels kept). */
  seenInEarlierFile: number;
}

export class CustomerSet {
  readonly customers: Customer[] = [];
  /** Every segment label each customer carries, parallel to `customers`. */
  readonly labels: string[][] = [];
  private readonly indexById = new Map<string, number>();
  private readonly lastFile: number[] = [];
  private readonly internedLabels = new Map<string, string[]>();
  readonly stats: CustomerSetStats = { repeatsInFile: 0, seenInEarlierFile: 0 };

  get size(): number {
    return this.customers.length;
  }

  /** Adds or replaces a customer (keeping any opt-out); `file` numbers the source file so repeats can be told apart. */
  upsert(customer: Customer, file: number): void {
    const index = this.indexById.get(customer.customerId);
    if (index === undefined) {
      this.indexById.set(customer.customerId, this.customers.length);
      this.customers.push(customer);
      this.labels.push(this.singleLabel(customer.segment));
      this.lastFile.push(file);
      return;
    }
    if (this.lastFile[index] === file) this.stats.repeatsInFile += 1;
    else this.stats.seenInEarlierFile += 1;
    this.lastFile[index] = file;
    // The last row wins, except that an opt-out is absolute: one given in any row stays.
    const previous = this.customers[index] as Customer;
    if (previous.optOutSms && !customer.optOutSms) customer = { ...customer, optOutSms: true };
    if (previous.optOutEmail && !customer.optOutEmail) customer = { ...customer, optOutEmail: true };
    this.customers[index] = customer;
    const labels = this.labels[index] ?? [];
    if (!labels.includes(customer.segment)) this.labels[index] = [...labels, customer.segment];
  }

  indexOf(customerId: string): number | undefined {
    return this.indexById.get(customerId);
  }

  /** Every label in the set, so a wave's audience can be checked against what exists. */
  allLabels(): Set<string> {
    const all = new Set<string>();
    for (const labels of this.labels) for (const label of labels) all.add(label);
    return all;
  }

  // One shared array per label: a million customers from one file share a single array.
  private singleLabel(label: string): string[] {
    let labels = this.internedLabels.get(label);
    if (!labels) {
      labels = [label];
      this.internedLabels.set(label, labels);
    }
    return labels;
  }
}
