// Helpers of the tests that run several basalt instances behind haproxy (cluster.test.mjs,
// cluster_buses.test.mjs): free ports, bounded polling, an event log, haproxy's configuration.
// No sleeps: every wait is for an answer or an event, bounded by a deadline.

import assert from 'node:assert/strict';
import { createServer } from 'node:net';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// Polls `attempt` until it returns a truthy value; fails after `ms`. Each attempt is a request:
// the loop is paced by round trips, never by a timer.
export async function within(ms, what, attempt) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const value = await attempt();
      if (value) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      assert.fail(`${what}: not within ${ms} ms${last ? ` (last error: ${last.message})` : ''}`);
    }
  }
}

// Collects realtime events; until() resolves once `predicate` holds.
export function eventLog() {
  const events = [];
  const waiters = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].predicate(events)) {
        waiters[i].resolve(events);
        waiters.splice(i, 1);
      }
    }
  };
  return {
    events,
    callback: (event) => {
      events.push(event);
      check();
    },
    until(predicate) {
      return new Promise((resolve) => {
        waiters.push({ predicate, resolve });
        check();
      });
    },
  };
}

export function haproxyConfig(port, servers) {
  const lines = [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    '  option redispatch',
    '  retries 3',
    '  retry-on conn-failure',
    'frontend basalt',
    `  bind 127.0.0.1:${port}`,
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    '  option httpchk GET /api/health',
    '  http-check expect status 200',
    '  default-server inter 200ms fall 2 rise 1',
    ...servers.map((url, i) => `  server i${i} ${new URL(url).host} check`),
    '',
  ];
  return lines.join('\n');
}
