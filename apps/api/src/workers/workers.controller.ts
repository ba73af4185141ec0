import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Redis } from 'ioredis';
import type { WorkerView } from '@ezlive/domain';
import { EVENT_SOURCING, EventSourcing, MembershipKeys, REDIS } from '@ezlive/infra';
import { ApiV1 } from '../problem/api-problems.decorator';

export class WorkerDto {
  @ApiProperty({ example: 'worker-1' }) id!: string;
  @ApiProperty({ example: 'worker-1.example.net' }) host!: string;
  @ApiProperty({ enum: ['active', 'draining', 'deregistered', 'lost'], example: 'active' })
  state!: string;
  @ApiProperty({ example: 8, description: 'Cost units (latest heartbeat, else registration)' })
  capacity!: number;
  @ApiProperty({ nullable: true, type: Number, example: 2.5, description: 'Cost units in use' })
  load!: number | null;
  @ApiProperty({ type: [String], example: ['01JD3Z6Y9V7Q8W2E4R5T6Y7U8V'] }) jobs!: string[];
  @ApiProperty({ nullable: true, type: String, example: '2026-11-23T19:00:02.000Z' })
  lastHeartbeatAt!: string | null;
  @ApiProperty({ example: 1935 }) rtmpPort!: number;
  @ApiProperty({ example: 4 }) cpuCores!: number;
  @ApiProperty({ example: '0.1.0' }) version!: string;
  @ApiProperty({ example: '2026-11-23T18:00:00.000Z' }) registeredAt!: string;
}

export class WorkerListDto {
  @ApiProperty({ type: [WorkerDto] }) items!: WorkerDto[];
}

/** Up to this many workers are listed (a fleet is small; no pagination needed yet). */
const MAX_WORKERS = 1000;

/**
 * Membership from the worker-view projection, jobs from the job-view `worker:<id>`
 * index, live load from the heartbeat hash of the membership registry (read
 * defensively: a worker may not have beaten yet, or was declared lost).
 */
@ApiTags('workers')
@Controller('v1/workers')
export class WorkersController {
  private readonly membership: MembershipKeys;

  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.membership = new MembershipKeys(es.keys.prefix);
  }

  @Get()
  @ApiOperation({ summary: 'Workers with capacity, load, jobs and last heartbeat' })
  @ApiOkResponse({ type: WorkerListDto })
  @ApiV1()
  async list(): Promise<WorkerListDto> {
    const { items } = await this.es.readModels.page<WorkerView>('worker-view', 'all', MAX_WORKERS);
    const rows = await Promise.all(
      items.map(async (w) => {
        const [jobs, hb] = await Promise.all([
          this.es.readModels.members('job-view', `worker:${w.workerId}`),
          this.redis.hmget(
            this.membership.heartbeat(w.workerId),
            'at',
            'capacity',
            'load',
            'reserved',
          ),
        ]);
        return this.present(w, jobs, hb);
      }),
    );
    return { items: rows };
  }

  private present(w: WorkerView, jobs: string[], hb: (string | null)[]): WorkerDto {
    const [at, capacity, load, reserved] = hb.map((v) =>
      v === null || v === '' || !Number.isFinite(Number(v)) ? null : Number(v),
    );
    return {
      id: w.workerId,
      host: w.info.host,
      state: w.status,
      capacity: capacity ?? w.info.capacity,
      load: load === null && reserved === null ? null : Math.max(load ?? 0, reserved ?? 0),
      jobs: jobs.sort(),
      lastHeartbeatAt: at === null ? null : new Date(at).toISOString(),
      rtmpPort: w.info.rtmpPort,
      cpuCores: w.info.cpuCores,
      version: w.info.version,
      registeredAt: w.registeredAt,
    };
  }
}
