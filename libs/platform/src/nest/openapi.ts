import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem';

export class FieldErrorDto {
  @ApiProperty({ example: 'data.lines.0.quantity', description: "Dotted path to the field; '' for the whole document" })
  path!: string;

  @ApiProperty({ example: 'expected a positive integer' })
  message!: string;

  @ApiPropertyOptional({ example: 3, description: 'Position of the item in a batch request' })
  index?: number;
}

/** RFC 9457 problem details, as documented in OpenAPI. */
export class ProblemDto {
  @ApiProperty({ example: 'https://rapport.dev/problems/validation' })
  type!: string;

  @ApiProperty({ example: 'Invalid request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiPropertyOptional({ example: 'item 3: data.lines.0.quantity: expected a positive integer' })
  detail?: string;

  @ApiPropertyOptional({ example: '/v1/events/batch' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request: malformed JSON or a field failed validation',
  401: 'Missing, unknown or revoked API key',
  403: "The key's role may not call this route",
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Request body too large',
  415: 'Request body is not application/json',
  503: 'Not ready',
};

/** Documents problem+json responses for the given statuses. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDto, FieldErrorDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? `HTTP ${status}`,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
