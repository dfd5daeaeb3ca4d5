import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { generatePassword } from '../auth/passwords';
import type { StaffStore } from '../auth/staff';
import { NotFoundError } from '../errors';
import { STAFF_STORE } from './auth.guard';
import { ApiProblems } from './openapi';
import { StaffAccountDto, publicAccount } from './session.controller';
import { createStaffBody, parseBody, resetPasswordBody } from './staff-input';

export class CreateStaffDto {
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['support', 'analyst', 'admin'] }) role!: string;
  @ApiPropertyOptional({ description: 'At least 12 characters; left out, a random one is generated and returned once' }) password?: string;
}

export class ResetPasswordDto {
  @ApiPropertyOptional({ description: 'Left out, a random one is generated and returned once' }) password?: string;
}

export class StaffWithPasswordDto extends StaffAccountDto {
  @ApiPropertyOptional({ description: 'Only when the server generated it' }) password?: string;
}

/** Staff accounts, for admins (the `rapport staff` commands call these). Admin-only: no @Roles. */
@ApiTags('staff')
@Controller('v1/admin/staff')
export class StaffController {
  constructor(@Inject(STAFF_STORE) private readonly staff: StaffStore) {}

  @Get()
  @ApiOkResponse({ type: [StaffAccountDto] })
  async list(): Promise<StaffAccountDto[]> {
    return (await this.staff.list()).map(publicAccount);
  }

  @Post()
  @HttpCode(201)
  @ApiBody({ type: CreateStaffDto })
  @ApiCreatedResponse({ type: StaffWithPasswordDto })
  @ApiProblems(400)
  async create(@Body() body: unknown): Promise<StaffWithPasswordDto> {
    const input = parseBody(createStaffBody, body);
    const password = input.password ?? generatePassword();
    const account = await this.staff.create({ ...input, password });
    return { ...publicAccount(account), ...(input.password === undefined ? { password } : {}) };
  }

  @Post(':idOrEmail/disable')
  @HttpCode(200)
  @ApiOkResponse({ type: StaffAccountDto })
  @ApiProblems(404)
  async disable(@Param('idOrEmail') idOrEmail: string): Promise<StaffAccountDto> {
    const account = await this.staff.disable(idOrEmail);
    if (!account) throw new NotFoundError(`No staff account '${idOrEmail}'.`);
    return publicAccount(account);
  }

  @Post(':idOrEmail/password')
  @HttpCode(200)
  @ApiBody({ type: ResetPasswordDto })
  @ApiOkResponse({ type: StaffWithPasswordDto })
  @ApiProblems(400, 404)
  async resetPassword(@Param('idOrEmail') idOrEmail: string, @Body() body: unknown): Promise<StaffWithPasswordDto> {
    const input = parseBody(resetPasswordBody, body ?? {});
    const password = input.password ?? generatePassword();
    const account = await this.staff.resetPassword(idOrEmail, password);
    if (!account) throw new NotFoundError(`No staff account '${idOrEmail}'.`);
    return { ...publicAccount(account), ...(input.password === undefined ? { password } : {}) };
  }
}
