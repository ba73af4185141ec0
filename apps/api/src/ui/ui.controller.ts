import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../problem/api-error';
import {
  ASSET_NAME,
  CONTENT_SECURITY_POLICY,
  CONTENT_TYPES,
  findPublicDir,
  vendorFiles,
} from './ui-assets';

/** The demo UI: public routes (the page asks for an API key and sends it to `/v1`). */
@ApiExcludeController()
@Controller()
export class UiController {
  private readonly publicDir = findPublicDir();
  private readonly vendor = vendorFiles();

  @Get()
  index(@Res() reply: FastifyReply): void {
    this.send(reply, join(this.publicDir, 'index.html'), 'html', 'no-cache');
  }

  @Get('ui/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const path = join(this.publicDir, file);
    if (!ASSET_NAME.test(file) || !existsSync(path)) throw notFound();
    // no-cache: revalidated on every load, so a new build is never mixed with old modules.
    this.send(reply, path, file.slice(file.lastIndexOf('.') + 1), 'no-cache');
  }

  @Get('vendor/:file')
  vendorScript(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const path = this.vendor[file];
    if (!path) throw notFound();
    this.send(reply, path, 'js', 'public, max-age=3600');
  }

  private send(reply: FastifyReply, path: string, ext: string, cacheControl: string): void {
    void reply
      .header('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream')
      .header('cache-control', cacheControl)
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(createReadStream(path));
  }
}

const notFound = () => new ApiError('NOT_FOUND', 'no such UI file');
