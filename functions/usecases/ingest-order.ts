/**
 * One order webhook event: applied once, whatever happens. The event is recorded first,
 * with the digest of its body: an id stands for the first body recorded under it, and
 * another body under the same id is a conflict, refused before any write (so also when it
 * races the first or follows one that crashed). The order takes it once (it remembers its
 * events); the customer's stats are derived again from all their orders; then the event is
 * marked applied. A handler that dies anywhere in between is finished by the redelivery of
 * the same body; a duplicate changes nothing.
 */
import { type OrderEvent, statsOf } from '../domain/orders.ts';
import type { OrderStore } from '../ports/order-store.ts';
import { type ScheduleChecksDeps, scheduleChecks } from './trigger-check.ts';

export interface IngestOrderDeps {
  orders: OrderStore;
  timeZone: string;
  clock: { now(): number };
  /** Order-triggered reminders: the checks an event starts are scheduled before it is marked applied. */
  triggers?: Omit<ScheduleChecksDeps, 'clock'>;
}

export type IngestOutcome = 'accepted' | 'duplicate' | 'conflict';

/** `bodyDigest` is the raw body's (`bodyDigest()` in the domain): the event is what that body said. */
export async function ingestOrder(
  deps: IngestOrderDeps,
  event: OrderEvent,
  bodyDigest: string,
): Promise<IngestOutcome> {
  const receivedAt = new Date(deps.clock.now()).toISOString();
  const claim = await deps.orders.claimEvent(event.eventId, bodyDigest, receivedAt);
  if (claim === 'conflict') return 'conflict';
  if (claim === 'applied') return 'duplicate';
  // New, or the same body as a delivery that did not finish (or is finishing now): every step is idempotent.
  await deps.orders.applyToOrder(event, receivedAt);
  const { orders, eventsSeen } = await deps.orders.ordersOf(event.order.customerId);
  await deps.orders.saveStats(event.order.customerId, statsOf(orders, deps.timeZone), eventsSeen, receivedAt);
  // Before the mark: a delivery that dies here is finished by the redelivery, and the
  // checks' names are fixed, so scheduling again upserts the same ones.
  if (deps.triggers) await scheduleChecks({ ...deps.triggers, clock: deps.clock }, event);
  await deps.orders.markApplied(event.eventId);
  return claim === 'new' ? 'accepted' : 'duplicate';
}
