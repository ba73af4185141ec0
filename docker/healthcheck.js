// Container HEALTHCHECK without curl or wget in the slim image:
//   node docker/healthcheck.js <PORT_VARIABLE> <default port> <path>
// The port comes from the same variable the app reads, so an overridden port is still checked.
const [portVariable, defaultPort, path] = process.argv.slice(2);
const port = process.env[portVariable] || defaultPort;
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1));
