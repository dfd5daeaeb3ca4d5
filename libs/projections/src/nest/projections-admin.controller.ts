import { Controller, DefaultValuePipe, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@rapport/platform/nest';
import { allRuntimes } from '../directory';
import { UnknownProjectionError } from '../errors';
import type { ParkedEvent, RetryReport } from '../parked';
import type { ProjectionRuntime, ProjectionStatus } from '../runtime';
import type { VerifyReport } from '../verify';

/** Admin-only: serves every projection of every runtime started in this process. */
@ApiTags('admin: projections')
@Roles()
@Controller('v1/admin/projections')
export class ProjectionsAdminController {
  @Get()
  @ApiOperation({ summary: 'Status of every projection: position, lag, rate, parked events, rebuild progress' })
  async list(): Promise<{ projections: ProjectionStatus[] }> {
    const statuses = await Promise.all(allRuntimes().map((runtime) => runtime.status()));
    return { projections: statuses.flat().sort((a, b) => a.name.localeCompare(b.name)) };
  }

  @Get(':name')
  @ApiOperation({ summary: 'Status of one projection' })
  async one(@Param('name') name: string): Promise<ProjectionStatus> {
    return (await runtimeOf(name).status(name))[0];
  }

  @Get(':name/parked')
  @ApiOperation({ summary: 'Events the projection could not apply, oldest first, with their errors' })
  async parked(@Param('name') name: string, @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number): Promise<{ parked: ParkedEvent[] }> {
    return { parked: await runtimeOf(name).parked(name, Math.min(Math.max(limit, 1), 1000)) };
  }

  @Post(':name/parked/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply every parked event again; those that succeed leave the list' })
  retryAll(@Param('name') name: string): Promise<RetryReport> {
    return runtimeOf(name).retry(name, 'all');
  }

  @Post(':name/parked/:eventId/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply one parked event again' })
  retryOne(@Param('name') name: string, @Param('eventId') eventId: string): Promise<RetryReport> {
    return runtimeOf(name).retry(name, eventId);
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Build a new generation from position 0 beside the live one and switch when caught up' })
  rebuild(@Param('name') name: string): Promise<ProjectionStatus> {
    return runtimeOf(name).rebuild(name);
  }

  @Post(':name/verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rebuild into a scratch schema and compare content hashes with the live tables' })
  verify(@Param('name') name: string): Promise<VerifyReport> {
    return runtimeOf(name).verify(name);
  }
}

function runtimeOf(name: string): ProjectionRuntime {
  const runtime = allRuntimes().find((candidate) => candidate.has(name));
  if (!runtime) throw new UnknownProjectionError(name);
  return runtime;
}
