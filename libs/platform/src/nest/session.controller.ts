import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffAccount, StaffSession, StaffStore } from '../auth/staff';
import { UnauthorizedError } from '../errors';
import { STAFF_STORE, type AuthenticatedRequest } from './auth.guard';
import { ApiProblems } from './openapi';
import { Public, Roles } from './decorators';
import { CSRF_HEADER, isSecureRequest, sessionCookie } from './session-cookie';
import { parseBody, signInBody } from './staff-input';

export class StaffAccountDto {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['support', 'analyst', 'admin'] }) role!: 'support' | 'analyst' | 'admin';
  @ApiProperty() disabled!: boolean;
  @ApiProperty() createdAt!: string;
}

export class SessionDto {
  @ApiProperty({ type: StaffAccountDto }) staff!: StaffAccountDto;
  @ApiProperty({ description: `Send back in the ${CSRF_HEADER} header on every POST, PUT, PATCH and DELETE` }) csrfToken!: string;
  @ApiProperty({ description: 'A session unused for this long ends' }) idleTimeoutSeconds!: number;
}

export class SignInDto {
  @ApiProperty({ example: 'support@rapport.local' }) email!: string;
  @ApiProperty() password!: string;
}

/** Staff sign-in for the console: a session cookie instead of an API key in the browser. */
@ApiTags('session')
@Controller('v1/session')
export class SessionController {
  constructor(@Inject(STAFF_STORE) private readonly staff: StaffStore) {}

  @Public()
  @Post()
  @HttpCode(201)
  @ApiBody({ type: SignInDto })
  @ApiCreatedResponse({ type: SessionDto })
  @ApiProblems(400, 401, 429)
  async signIn(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionDto> {
    const { email, password } = parseBody(signInBody, body);
    const { token, session } = await this.staff.signIn(email, password);
    void reply.header('set-cookie', sessionCookie(token, { secure: isSecureRequest(request) }));
    return this.answer(session);
  }

  @Get()
  @Roles('support', 'analyst')
  @ApiCookieAuth()
  @ApiOkResponse({ type: SessionDto })
  current(@Req() request: AuthenticatedRequest): SessionDto {
    return this.answer(sessionOf(request));
  }

  @Delete()
  @HttpCode(204)
  @Roles('support', 'analyst')
  @ApiCookieAuth()
  async signOut(@Req() request: AuthenticatedRequest & FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    sessionOf(request);
    await this.staff.signOut(request.sessionToken!);
    void reply.header('set-cookie', sessionCookie('', { secure: isSecureRequest(request), maxAgeSeconds: 0 }));
  }

  private answer(session: StaffSession): SessionDto {
    return { staff: publicAccount(session.staff), csrfToken: session.csrfToken, idleTimeoutSeconds: Math.round(this.staff.idleTimeoutMs / 1000) };
  }
}

function sessionOf(request: AuthenticatedRequest): StaffSession {
  if (!request.staffSession) throw new UnauthorizedError('This route is for signed-in staff; an API key has no session.');
  return request.staffSession;
}

export const publicAccount = (account: StaffAccount): StaffAccountDto => ({ ...account });
