import type { Device } from '../customer.ts';

/**
 * What the phases after the candidates read of the customers: how many, each one's device
 * (its SMS link, so its parts) and every label present. A customer set is one; a sharded
 * plan's reduce has only the shards' columns, and makes one of those (planner/shards/).
 */
export interface PlanningCustomers {
  readonly size: number;
  deviceOf(index: number): Device;
  allLabels(): Set<string>;
}
