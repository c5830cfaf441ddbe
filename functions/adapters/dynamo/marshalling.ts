/**
 * How our items become DynamoDB attribute values, one way for every writer: the document
 * client (composition.ts) and the stores that send low-level commands. A field left
 * undefined is left out of the item; an empty string stays an empty string.
 */
import { marshall } from '@aws-sdk/util-dynamodb';

/**
 * Frozen: lib-dynamodb writes `convertTopLevelContainer` into the marshallOptions object it is
 * given, which would make every later `toItem` wrap its item in `{ M: ... }`. Give it a copy.
 */
export const MARSHALL_OPTIONS = Object.freeze({ removeUndefinedValues: true, convertEmptyValues: false });

/** An item, a key or expression values, marshalled as the document client would. */
export const toItem = (value: Record<string, unknown>) => marshall(value, MARSHALL_OPTIONS);
