/**
 * One order webhook event: applied once, whatever happens. The event is
 * recorded first; the order takes it once (it remembers its events); the customer's stats
 * are derived again from all their orders; then the event is marked applied. A handler that
 * dies anywhere in between is finished by the redelivery; a duplicate changes nothing.
 */
import { type OrderEvent, statsOf } from '../domain/orders.ts';
import type { OrderStore } from '../ports/order-store.ts';

export interface IngestOrderDeps {
  orders: OrderStore;
  timeZone: string;
  clock: { now(): number };
}

export type IngestOutcome = 'accepted' | 'duplicate';

export async function ingestOrder(deps: IngestOrderDeps, event: OrderEvent): Promise<IngestOutcome> {
  const receivedAt = new Date(deps.clock.now()).toISOString();
  const claim = await deps.orders.claimEvent(event.eventId, receivedAt);
  if (claim === 'applied') return 'duplicate';
  // New, or recorded by a delivery that did not finish (or is finishing now): every step is idempotent.
  await deps.orders.applyToOrder(event, receivedAt);
  const { orders, eventsSeen } = await deps.orders.ordersOf(event.order.customerId);
  await deps.orders.saveStats(event.order.customerId, statsOf(orders, deps.timeZone), eventsSeen, receivedAt);
  await deps.orders.markApplied(event.eventId);
  return claim === 'new' ? 'accepted' : 'duplicate';
}
