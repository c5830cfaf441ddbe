import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { MARSHALL_OPTIONS, toItem } from '../../functions/adapters/dynamo/marshalling.ts';

describe('toItem', () => {
  it('marshals an item flat, leaving undefined fields out, also after a document client was made', () => {
    // Prepare: a document client made with the shared options, as composition.ts makes it.
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'cn-north-1' }), {
      marshallOptions: { ...MARSHALL_OPTIONS },
    });

    // Act
    const item = toItem({ pk: 'CUSTOMER#C1', name: '', gone: undefined, events: new Set(['e1']) });

    // Assess
    expect(item, 'attribute values at the top, not one { M } around them').toEqual({
      pk: { S: 'CUSTOMER#C1' },
      name: { S: '' },
      events: { SS: ['e1'] },
    });
    expect(Object.isFrozen(MARSHALL_OPTIONS), 'lib-dynamodb writes into the options it is given').toBe(true);
  });
});
