/** Orders and the stats derived from them (DynamoDB `customers` table: ORDER# items and the ORDERS item). */
import type { OrderEvent, OrderState, OrderStats } from '../domain/orders.ts';

export type EventClaim = 'new' | 'pending' | 'applied';

export interface OrderStore {
  /** Records that an event arrived; says whether it is new, half-applied before, or done. */
  claimEvent(eventId: string, receivedAt: string): Promise<EventClaim>;
  markApplied(eventId: string): Promise<void>;
  /** Applies the event to its order once (the order remembers the events it took). */
  applyToOrder(event: OrderEvent, receivedAt: string): Promise<void>;
  /** The customer's orders, and how many events they have taken in all (the stats' version). */
  ordersOf(customerId: string): Promise<{ orders: OrderState[]; eventsSeen: number }>;
  /** Writes the customer's stats unless stats from more events are already there. */
  saveStats(customerId: string, stats: OrderStats, eventsSeen: number, updatedAt: string): Promise<void>;
  /** Every order of every customer (for attribution). */
  allOrders(): Promise<OrderState[]>;
}
