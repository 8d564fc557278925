'use strict';
/*
 * Docker HEALTHCHECK probe: GET http://127.0.0.1:$PORT<path> (default /health) answers 2xx within 3 s.
 * The image has no curl/wget (smaller, less to patch); Node 20's fetch does the job.
 * Usage: node deploy/image/healthcheck.js [/ready]
 */
const port = process.env.PORT || '8080';
const route = process.argv[2] || '/health';
fetch(`http://127.0.0.1:${port}${route}`, { signal: AbortSignal.timeout(3000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
