// A script's basalt.cron job on its schedule (docs/hooks.md, "Cron jobs") without waiting real
// minutes: the server runs with the e2e tests' controlled date (E2E_BASALT_MANUAL_CLOCK=1,
// app/testing_clock.hpp), and each POST /api/_testing/clock sets the date and runs one tick of
// the durable cron scheduler. Also: the control exists only with the variable, and only on a
// loopback listen address.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const binary = process.env.E2E_BASALT_BINARY ?? new URL('../../build/release/basalt', import.meta.url).pathname;
const WAIT_MS = 20_000; // only matters when the awaited state never comes

const CRON = String.raw`
basalt.cron("tally", "*/5 3 1 1 *", function()
  basalt.records.create("ticks", { at = basalt.time.iso() }, { as = "superuser" })
end)
`;

async function eventually(what, check) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('hooks: cron jobs on a controlled clock', () => {
  let server;
  let dir;
  let admin;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'basalt-hooks-cron-'));
    await mkdir(join(dir, 'hooks'));
    await writeFile(join(dir, 'hooks', 'cron.lua'), CRON);
    server = await startServer({ superuser, dir, env: { E2E_BASALT_MANUAL_CLOCK: '1' } });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.collections.create({ name: 'ticks', type: 'base', fields: [{ name: 'at', type: 'text' }] });
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the job is listed with the built-in crons and runs at its minutes only', async () => {
    const crons = await admin.crons.getFullList();
    assert.deepEqual(crons.find((cron) => cron.id === 'tally'), { id: 'tally', expression: '*/5 3 1 1 *' });

    // Minutes 0, 5, 10... of 03:00 UTC on January 1st: never near the real clock, so only the
    // controlled date can make it run. Tokens are dated by the same clock: sign in again after
    // each jump.
    const hour = Date.UTC(2030, 0, 1, 3, 0, 0);
    const set = async (offsetMs) => {
      const answer = await admin.send('/api/_testing/clock', { method: 'POST', body: { unixMs: hour + offsetMs } });
      await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
      return answer;
    };
    const ticks = () => admin.collection('ticks').getFullList({ sort: 'at' });
    const minuteOf = (at) => at.slice(11, 16);
    const hh = '03';

    // The first tick past the registration runs the latest due minute (hh:00) once.
    const first = await set(30_000);
    assert.match(first.now, /^2030-01-01 03:00:3\d\.\d{3}Z$/);
    await eventually('the hh:00 run', async () => (await ticks()).length === 1);
    // hh:04:30 is not a minute of */5; hh:05:10 is; hh:09:59 is not; hh:10:01 is.
    await set(4 * 60_000 + 30_000);
    await set(5 * 60_000 + 10_000);
    await eventually('the hh:05 run', async () => (await ticks()).length === 2);
    await set(9 * 60_000 + 59_000);
    await set(10 * 60_000 + 1_000);
    const all = await eventually('the hh:10 run', async () => {
      const list = await ticks();
      return list.length >= 3 && list;
    });
    assert.deepEqual(all.map((tick) => minuteOf(tick.at)), [`${hh}:00`, `${hh}:05`, `${hh}:10`]);

    // A second tick in the same minute adds no run (the run's dedupe key); the next run due
    // is hh:15's, and it comes after nothing else.
    await set(10 * 60_000 + 2_000);
    await set(12 * 60_000); // (steps under the jobs' 5-minute lease)
    await set(15 * 60_000 + 5_000);
    const later = await eventually('the hh:15 run', async () => {
      const list = await ticks();
      return list.length >= 4 && list;
    });
    assert.deepEqual(later.map((tick) => minuteOf(tick.at)), [`${hh}:00`, `${hh}:05`, `${hh}:10`, `${hh}:15`]);
  });

  test('the clock control is for superusers only', async () => {
    const guest = new PocketBase(server.url);
    await assert.rejects(
      guest.send('/api/_testing/clock', { method: 'POST', body: { unixMs: 0 } }),
      (error) => error.status === 401,
    );
  });
});

describe('hooks: the controlled clock cannot be switched on by accident', () => {
  test('without E2E_BASALT_MANUAL_CLOCK there is no such route', async () => {
    const server = await startServer({ superuser });
    try {
      const admin = new PocketBase(server.url);
      await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
      await assert.rejects(
        admin.send('/api/_testing/clock', { method: 'POST', body: { unixMs: 0 } }),
        (error) => error.status === 404,
      );
    } finally {
      await server.stop();
    }
  });

  test('with it, a non-loopback listen address refuses to start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'basalt-hooks-clock-'));
    try {
      const result = spawnSync(binary, ['serve', '--http', '0.0.0.0:0', '--dir', dir], {
        env: { ...process.env, E2E_BASALT_MANUAL_CLOCK: '1' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /E2E_BASALT_MANUAL_CLOCK=1 is for the end-to-end tests only/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
