/** Orders and the stats derived from them (DynamoDB `customers` table: ORDER# items and the ORDERS item). */
import type { OrderEvent, OrderState, OrderStats } from '../domain/orders.ts';

/**
 * What the event's record says about a delivery: first of its id (`new`), the same body as a
 * delivery that has not finished (`pending`) or has (`applied`), or another body under an id
 * already taken (`conflict`).
 */
export type EventClaim = 'new' | 'pending' | 'applied' | 'conflict';

export interface OrderStore {
  /** Records that an event arrived with a body (its SHA-256 digest); the first body recorded for an id is its only one. */
  claimEvent(eventId: string, bodyDigest: string, receivedAt: string): Promise<EventClaim>;
  markApplied(eventId: string): Promise<void>;
  /** Applies the event to its order once (the order remembers the events it took). */
  applyToOrder(event: OrderEvent, receivedAt: string): Promise<void>;
  /** The customer's orders, and how many events they have taken in all (the stats' version). */
  ordersOf(customerId: string): Promise<{ orders: OrderState[]; eventsSeen: number }>;
  /** Writes the customer's stats unless stats from more events are already there. */
  saveStats(customerId: string, stats: OrderStats, eventsSeen: number, updatedAt: string): Promise<void>;
  /** One order as it stands now (read consistently): what a triggered reminder checks before it goes. */
  getOrder(customerId: string, orderId: string): Promise<OrderState | undefined>;
  /** Every order of every customer (for attribution). */
  allOrders(): Promise<OrderState[]>;
}
