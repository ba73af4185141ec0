// The embedded SQS/S3-protocol server (fauxqs) for `npm start` and tests, with request
// logging off and a prompt, clean exit on SIGTERM/SIGINT (it holds keep-alive sockets).
import { startFauxqs } from 'fauxqs';

const port = Number(process.env.FAUXQS_PORT ?? 4566);
const server = await startFauxqs({
  port,
  host: process.env.FAUXQS_HOST ?? '127.0.0.1',
  logger: false,
});
console.log(
  JSON.stringify({ level: 30, msg: `SQS/S3-protocol server listening on ${server.address}` }),
);
const stop = async () => {
  const timer = setTimeout(() => process.exit(0), 2000);
  timer.unref();
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// Exit with the parent: an orphaned emulator would hold the port.
process.on('disconnect', stop);
