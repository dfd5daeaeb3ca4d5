import { ApiProperty } from '@nestjs/swagger';
import { EMITTABLE_EVENT_TYPES, jsonSchemas } from '@rapport/contracts';
import { MAX_BATCH_EVENTS } from './emit-request';

export class EmittedEventDto {
  @ApiProperty({ format: 'uuid', example: '0b0e4a8e-3c5d-4f7a-9a51-6b2f0d9c1e2a' })
  id!: string;

  @ApiProperty({ example: 'customer-cust-1001', description: 'customer-<customerId> or visitor-<anonymousId>' })
  streamId!: string;

  @ApiProperty({ example: 4, description: "The event's revision in its stream (0 for the first)" })
  revision!: number;

  @ApiProperty({ example: 18213, description: 'Global position in the event log' })
  position!: number;

  @ApiProperty({ description: 'True when this id was already stored: nothing was written and revision/position are the original ones' })
  duplicate!: boolean;
}

export class BatchResultDto {
  @ApiProperty({ type: [EmittedEventDto], description: 'One entry per submitted event, in request order' })
  events!: EmittedEventDto[];
}

/** The JSON Schema of every type emitters may send (from the contracts), so the docs show exactly what is accepted. */
const schemas = jsonSchemas();
export const eventBodySchema = {
  oneOf: EMITTABLE_EVENT_TYPES.map((type) => {
    const { $schema: _schema, $id: _id, ...schema } = schemas[type];
    return schema;
  }),
};

export const batchBodySchema = {
  type: 'object',
  required: ['events'],
  additionalProperties: false,
  properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH_EVENTS, items: eventBodySchema } },
};
