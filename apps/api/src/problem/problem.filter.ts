import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { toProblem } from './problem';

/** Sends a problem response; shared by the Nest filter and Fastify's own error handler. */
export function sendProblem(
  logger: Logger,
  err: unknown,
  req: FastifyRequest,
  reply: FastifyReply,
): void {
  const { problem, headers } = toProblem(err, req.url);
  if (problem.status >= 500) {
    logger.error({ reqId: req.id, err, code: problem.code }, 'request failed');
  }
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  void reply.code(problem.status).headers(headers).send(JSON.stringify(problem));
}

/** Every error thrown in a route, guard or pipe ends here. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(this.logger, err, http.getRequest<FastifyRequest>(), http.getResponse());
  }
}
