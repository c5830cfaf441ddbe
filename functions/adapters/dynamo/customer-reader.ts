/**
 * Reads a campaign's customers back from the `customers` table for planning: a parallel
 * Scan, items grouped by customer. A customer belongs to the campaign when a current
 * segment file of the campaign lists them (items from an older version of a file are
 * ignored); their own fields come from their newest segment row in any campaign; an
 * opt-out anywhere wins (a segment file's, or one the customer gave through an unsubscribe
 * link: the `OPTOUT#<channel>` items); order stats from webhooks are merged in.
 */
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AwsClients } from '../../composition.ts';
import type { Customer } from '../../domain/customer.ts';
import { CustomerSet } from '../../domain/customer-set.ts';
import type { ImportStore } from '../../ports/import-store.ts';
import { OPT_OUT_SK_PREFIX } from './opt-out-store.ts';
import { ORDERS_SK } from './purchase-check.ts';

const SEGMENTS = 4;

interface SegmentItem {
  customerId: string;
  campaignId: string;
  label: string;
  phone?: string;
  email?: string;
  name?: string;
  device: Customer['device'];
  lastOrderAt?: string;
  orderCount?: number;
  totalSpend?: number;
  d11Years?: number[];
  unpaidOrder?: boolean;
  optOutSms?: boolean;
  optOutEmail?: boolean;
  tier?: string;
  sourceKey: string;
  sourceEtag: string;
  sourceLine: number;
  importedAt: string;
}

interface OrdersItem {
  orderCount?: number;
  totalSpend?: number;
  lastOrderAt?: string;
  d11Years?: number[];
  unpaidOrder?: boolean;
  updatedAt?: string;
}

export async function readCampaignCustomers(
  clients: Pick<AwsClients, 'dynamodb'>,
  tableName: string,
  imports: ImportStore,
  campaignId: string,
  /**
   * Which Scan segments to read, [from, to) of `total`: a sharded plan's shard reads its own
   * (a customer's items share a partition key, so each customer is in one segment). All by default.
   */
  segments: { from: number; to: number; total: number } = { from: 0, to: SEGMENTS, total: SEGMENTS },
): Promise<CustomerSet> {
  const byCustomer = new Map<string, { segments: SegmentItem[]; orders?: OrdersItem; optOuts?: Set<string> }>();
  await Promise.all(
    Array.from({ length: Math.max(0, segments.to - segments.from) }, async (_, position) => {
      const segment = segments.from + position;
      let start: ScanCommandOutput['LastEvaluatedKey'];
      do {
        const page: ScanCommandOutput = await clients.dynamodb.send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: segments.total,
            ExclusiveStartKey: start,
          }),
        );
        for (const raw of page.Items ?? []) {
          const item = unmarshall(raw);
          const entry = byCustomer.get(item.pk) ?? { segments: [] };
          if (item.type === 'segment') entry.segments.push(item as SegmentItem);
          else if (item.sk === ORDERS_SK) entry.orders = item as OrdersItem;
          else if (typeof item.sk === 'string' && item.sk.startsWith(OPT_OUT_SK_PREFIX)) {
            entry.optOuts = new Set([...(entry.optOuts ?? []), String(item.channel)]);
          }
          byCustomer.set(item.pk, entry);
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );

  // Which version of each of the campaign's files is current: rows of older versions are gone from the file.
  const currentEtag = new Map<string, string | undefined>();
  for (const { segments } of byCustomer.values()) {
    for (const item of segments) {
      if (item.campaignId === campaignId && !currentEtag.has(item.sourceKey))
        currentEtag.set(item.sourceKey, undefined);
    }
  }
  for (const key of currentEtag.keys()) {
    const latest = await imports.latest(key);
    currentEtag.set(key, latest?.status === 'succeeded' ? latest.etag : undefined);
  }
  const isCurrent = (item: SegmentItem) => {
    const etag = currentEtag.get(item.sourceKey);
    return etag === undefined || etag === item.sourceEtag;
  };

  const customers = new CustomerSet();
  const entries = [...byCustomer.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [, { segments, orders, optOuts }] of entries) {
    const memberships = segments.filter((item) => item.campaignId === campaignId && isCurrent(item));
    if (memberships.length === 0) continue;
    const newest = [...segments].sort((a, b) =>
      a.importedAt < b.importedAt ? 1 : a.importedAt > b.importedAt ? -1 : b.sourceLine - a.sourceLine,
    )[0] as SegmentItem;
    const customer = mergeOrders(toCustomer(newest, segments), orders);
    // The customer's own unsubscribe wins over every file (a later import saying otherwise included).
    if (optOuts?.has('email')) customer.optOutEmail = true;
    for (const membership of memberships) customers.upsert({ ...customer, segment: membership.label }, 0);
  }
  return customers;
}

function toCustomer(newest: SegmentItem, all: SegmentItem[]): Customer {
  const customer: Customer = {
    customerId: newest.customerId,
    device: newest.device,
    d11Years: newest.d11Years ?? [],
    segment: newest.label,
  };
  if (newest.phone) customer.phone = newest.phone;
  if (newest.email) customer.email = newest.email;
  if (newest.name) customer.name = newest.name;
  if (newest.lastOrderAt) customer.lastOrderAt = Date.parse(newest.lastOrderAt);
  if (newest.orderCount !== undefined) customer.orderCount = newest.orderCount;
  if (newest.totalSpend !== undefined) customer.totalSpend = newest.totalSpend;
  if (newest.unpaidOrder !== undefined) customer.unpaidOrder = newest.unpaidOrder;
  if (newest.tier) customer.tier = newest.tier;
  // Opt-outs are absolute: one file saying so is enough.
  if (all.some((item) => item.optOutSms)) customer.optOutSms = true;
  if (all.some((item) => item.optOutEmail)) customer.optOutEmail = true;
  return customer;
}

/**
 * Order webhooks count what they saw; the store export counts everything it knew. The
 * larger count, the later last order and the union of Double-11 years is the merge that
 * never double counts an order both sources know.
 */
export function mergeOrders(customer: Customer, orders: OrdersItem | undefined): Customer {
  if (!orders) return customer;
  const merged: Customer = { ...customer };
  if (orders.orderCount !== undefined) merged.orderCount = Math.max(customer.orderCount ?? 0, orders.orderCount);
  if (orders.totalSpend !== undefined) merged.totalSpend = Math.max(customer.totalSpend ?? 0, orders.totalSpend);
  if (orders.lastOrderAt) {
    merged.lastOrderAt = Math.max(customer.lastOrderAt ?? 0, Date.parse(orders.lastOrderAt));
  }
  if (orders.d11Years) merged.d11Years = [...new Set([...customer.d11Years, ...orders.d11Years])].sort((a, b) => a - b);
  if (orders.unpaidOrder !== undefined) merged.unpaidOrder = orders.unpaidOrder;
  return merged;
}
