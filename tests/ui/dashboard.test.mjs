// The dashboard in a real browser (docs/dashboard.md, "Tests"): playwright-core drives
// Debian's chromium against the real binary on loopback with a fresh data directory. It
// follows the install link, creates a collection (an invalid rule first: the server's error is
// shown inline), adds records, filters (a bad filter shows the server's error), edits a
// record, sees a record created elsewhere appear through realtime, uploads a backup, shows
// 1,000 rows (virtualized: timed, and walked with the keyboard), at 1280 and 375 px wide,
// and checks labels, keyboard reach and that no request leaves the server's origin.
// Screenshots go to build/ui-test/. Waits are Playwright's auto-waits on the DOM, never sleeps.

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import PocketBase from 'pocketbase';
import { bandedPng } from '../e2e/png.mjs';
import { usePostgres } from '../e2e/postgres_databases.mjs';
import { startServer } from '../e2e/server.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const uiDir = process.env.UI_TEST_DIR ?? `${repo}build/ui`;
const shots = `${repo}build/ui-test`;
const browserPath = process.env.UI_TEST_CHROMIUM ?? '/usr/bin/chromium';
const EMAIL = 'owner@example.com';
const PASSWORD = 'correct horse 42';
// UI_TEST_PORT: the server's loopback port (the webhook receiver takes the next one); 0, the
// default, lets the system pick free ones.
const basePort = Number(process.env.UI_TEST_PORT ?? 0);

// Every input, select and textarea visible on the page has an accessible name.
async function unlabelled(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

// The elements that reach past `width` px (outside any scroll box of their own), to name the
// culprit when a narrow page overflows.
async function overflowing(page, width) {
  return page.evaluate((w) =>
    [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > w + 0.5)
      .filter((el) => !el.parentElement?.closest('.table-wrap'))
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} → ${Math.round(el.getBoundingClientRect().right)}`)
      .slice(0, 8), width);
}

// Presses Tab up to `max` times and returns the names of what got focus, in order.
async function tabOrder(page, max) {
  await page.evaluate(() => document.activeElement?.blur());
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => {
      const el = document.activeElement;
      return (el?.getAttribute('aria-label') || el?.textContent || el?.id || '').trim();
    }));
  }
  return seen;
}

// A webhook receiver on loopback: answers 204 and hands each delivery (its webhook-id and
// parsed body) to the next waiter, in arrival order.
async function startReceiver() {
  const arrived = [];
  const waiters = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const delivery = { id: request.headers['webhook-id'], signature: request.headers['webhook-signature'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      const waiter = waiters.shift();
      if (waiter) waiter(delivery);
      else arrived.push(delivery);
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(basePort ? basePort + 1 : 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    next: () => (arrived.length ? Promise.resolve(arrived.shift()) : new Promise((resolve) => waiters.push(resolve))),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

// The delivery log of a webhook once it holds `count` rows: the dispatcher writes a row just
// after the receiver's answer, so the row may trail the delivery by one write job. Each poll is
// one request; the loop ends at the row, not on a timer.
async function deliveriesWhen(pb, hookId, count) {
  for (;;) {
    const log = await pb.send(`/api/webhooks/${hookId}/deliveries`, { method: 'GET' });
    if (log.items.length >= count) return log;
  }
}

describe('dashboard in chromium', () => {
  let server;
  let browser;
  const foreign = [];
  const timings = {};

  before(async () => {
    await mkdir(shots, { recursive: true });
    // Webhooks to the loopback receiver below need the outbound guard lifted (tests only).
    server = await startServer({ port: basePort, args: ['--ui-dir', uiDir, '--webhooks-allow-private', 'true'] });
    browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (Object.keys(timings).length) console.log('# dashboard timings (ms):', JSON.stringify(timings));
  });

  async function newPage(width) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    page.on('request', (req) => {
      if (!req.url().startsWith(server.url) && !req.url().startsWith('data:') && !req.url().startsWith('blob:')) {
        foreign.push(req.url());
      }
    });
    return page;
  }

  test('install, collection, records, filter, edit, realtime at 1280 px', async () => {
    const page = await newPage(1280);
    const link = await server.installLink;
    await page.goto(link);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    assert.deepEqual(await unlabelled(page), []);
    await page.getByRole('button', { name: 'Create superuser and sign in' }).click();
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    await page.screenshot({ path: `${shots}/1280-collections.png` });

    // The install link is used up.
    const reuse = await newPage(1280);
    await reuse.goto(link);
    await reuse.getByText('invalid, expired or already used').waitFor();
    await reuse.context().close();

    // A collection: an invalid rule first (the server's message inline), then a good one.
    await page.getByRole('link', { name: 'New collection' }).click();
    await page.getByLabel('Name', { exact: true }).fill('posts');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Field name').last().fill('title');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Field name').last().fill('views');
    await page.getByLabel('Field type').last().selectOption('number');
    await page.getByLabel('Locked (List/Search rule)').uncheck();
    await page.locator('#rule-listRule').fill('nosuchfield = 1');
    assert.deepEqual(await unlabelled(page), []);
    await page.getByRole('button', { name: 'Create collection' }).click();
    const ruleError = page.locator('.panel').filter({ has: page.locator('#rule-listRule') }).locator('.error');
    await ruleError.waitFor();
    assert.ok((await ruleError.textContent()).length > 0);
    await page.screenshot({ path: `${shots}/1280-rule-error.png`, fullPage: true });
    await page.locator('#rule-listRule').fill('views >= 0');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await page.getByRole('heading', { name: 'Edit collection posts' }).waitFor();

    // Records: three through the form.
    await page.getByRole('link', { name: 'Browse records' }).click();
    await page.getByRole('heading', { name: /posts/ }).waitFor();
    for (const [title, views] of [['alpha', 1], ['beta', 2], ['gamma', 3]]) {
      await page.getByRole('button', { name: 'New record' }).click();
      const form = page.locator('dialog');
      await form.getByLabel('title', { exact: true }).fill(title);
      await form.getByLabel('views', { exact: true }).fill(String(views));
      assert.deepEqual(await unlabelled(page), []);
      await page.getByRole('button', { name: 'Create record' }).click();
      await page.locator('tbody tr', { hasText: title }).waitFor();
    }
    await page.getByText('3 records').waitFor();

    // A bad filter: the server's message and the place it names marked in the text, the
    // cursor put there; a field that does not exist is marked whole; a good filter: one row.
    const filterError = page.locator('#records-filter-error');
    const mark = page.getByTestId('filter-mark').locator('mark');
    await page.getByLabel('Filter').fill('title = "é" && = 2');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await mark.waitFor();
    assert.equal(await mark.textContent(), '=');
    assert.equal(await page.getByTestId('filter-mark').textContent(), 'title = "é" && = 2');
    assert.match(await filterError.textContent(), /At character 16:/);
    assert.deepEqual(
      await page.getByLabel('Filter').evaluate((el) => [document.activeElement === el, el.selectionStart, el.selectionEnd]),
      [true, 15, 16],
    );
    await page.screenshot({ path: `${shots}/1280-filter-error.png` });
    await page.getByLabel('Filter').fill('views > 1 && nosuch ~ "x"');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await mark.filter({ hasText: 'nosuch' }).waitFor();
    await page.getByLabel('Filter').fill('title = "beta"');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByText('1 records').waitFor();
    assert.equal((await filterError.textContent()).trim(), '');
    assert.equal(await page.getByTestId('filter-mark').count(), 0);
    assert.equal(await page.locator('tbody tr').count(), 1);

    // Edit it.
    await page.getByRole('button', { name: /^Edit record / }).click();
    await page.locator('dialog').getByLabel('title', { exact: true }).fill('beta edited');
    await page.getByRole('button', { name: 'Save record' }).click();
    // The page behind the modal dialog is inert until the save's answer closes it: a fill
    // before that would not reach the filter box.
    await page.locator('dialog').waitFor({ state: 'hidden' });
    await page.getByLabel('Filter').fill('');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.locator('tbody tr', { hasText: 'beta edited' }).waitFor();

    // Realtime: a record created elsewhere shows up without a reload.
    const pb = new PocketBase(server.url);
    pb.autoCancellation(false);
    await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
    await pb.collection('posts').create({ title: 'from elsewhere', views: 9 });
    await page.locator('tbody tr', { hasText: 'from elsewhere' }).waitFor();
    await page.screenshot({ path: `${shots}/1280-records.png` });

    // Bulk delete: two rows selected, both gone.
    await page.getByLabel('Filter').fill('title = "alpha" || title = "from elsewhere"');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByText('2 records').waitFor();
    for (const box of await page.getByLabel(/^Select record /).all()) await box.check();
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Delete selected (2)' }).click();
    await page.getByText('0 records').waitFor();
    assert.equal((await pb.collection('posts').getList(1, 1)).totalItems, 2);
    await page.getByLabel('Filter').fill('');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByText('2 records').waitFor();

    // Keyboard: Tab reaches the main actions of the page.
    const order = await tabOrder(page, 40);
    for (const action of ['New record', 'Apply filter']) {
      assert.ok(order.includes(action), `Tab never reached ${action}: ${JSON.stringify(order)}`);
    }

    // A relation through the picker, then expanded in the list.
    const posts = await pb.collections.getOne('posts');
    await pb.collections.create({
      name: 'comments',
      type: 'base',
      fields: [
        { name: 'body', type: 'text' },
        { name: 'post', type: 'relation', collectionId: posts.id, maxSelect: 1 },
      ],
    });
    await page.goto(`${server.url}/_/#/records/comments`);
    await page.getByRole('button', { name: 'New record' }).click();
    const commentForm = page.locator('dialog');
    await commentForm.getByLabel('body', { exact: true }).fill('nice');
    // The picker searches the related records (1,000 of them would not fit a list).
    await commentForm.getByLabel('Search post').fill('gam');
    await commentForm.getByRole('button', { name: 'Search', exact: true }).click();
    const gammaId = (await pb.collection('posts').getFirstListItem('title = "gamma"')).id;
    const picker = commentForm.getByRole('combobox', { name: /^post/ });
    await picker.locator('option', { hasText: 'gamma' }).waitFor({ state: 'attached' });
    // The unfiltered first load may have shown "beta edited" too; the search's answer leaves
    // "—" and gamma.
    await picker.locator('option').nth(2).waitFor({ state: 'detached' });
    assert.equal(await picker.locator('option').count(), 2);
    await picker.selectOption({ label: `gamma (${gammaId})` });
    await page.getByRole('button', { name: 'Create record' }).click();
    await page.getByText('1 records').waitFor();
    await page.getByLabel('Expand').fill('post');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByRole('cell', { name: 'gamma', exact: true }).waitFor();

    // Files: an image uploaded with its preview, then shown as a thumbnail; one past the
    // field's maxSize refused next to the file field (its described-by error), with nothing
    // stored: no record (so not its caption either) and no file under the data directory.
    await pb.collections.create({
      name: 'photos',
      type: 'base',
      fields: [
        { name: 'caption', type: 'text' },
        { name: 'image', type: 'file', maxSelect: 1, maxSize: 1000, mimeTypes: ['image/png'], thumbs: ['100x100'] },
      ],
    });
    const small = Buffer.from(bandedPng(16, 16));
    const big = Buffer.from(bandedPng(400, 400));
    assert.ok(small.length < 1000 && big.length > 1000, `${small.length} / ${big.length}`);
    await page.goto(`${server.url}/_/#/records/photos`);
    await page.getByRole('button', { name: 'New record' }).click();
    await page.locator('dialog').getByLabel('caption', { exact: true }).fill('too big');
    await page.locator('dialog').getByLabel('image').setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: big });
    await page.getByAltText('preview of big.png').waitFor();
    await page.getByRole('button', { name: 'Create record' }).click();
    const fileError = page.locator('#rec-image-error');
    await fileError.filter({ hasText: /\S/ }).waitFor();
    assert.equal(await page.locator('#rec-image').getAttribute('aria-describedby'), 'rec-image-error');
    assert.equal(await page.locator('#rec-image').getAttribute('aria-invalid'), 'true');
    // The server's own words for that field, as its 400 names them.
    const refused = await pb.collection('photos').create({ caption: 'x', image: new File([big], 'big.png', { type: 'image/png' }) }).catch((e) => e);
    assert.equal(refused.status, 400);
    assert.equal(await fileError.textContent(), refused.response.data.image.message);
    assert.equal(await page.locator('dialog .error').filter({ hasText: /\S/ }).count(), 1);
    assert.equal((await pb.collection('photos').getList(1, 1)).totalItems, 0);
    const storedPngs = async () =>
      (await readdir(join(server.dir, 'storage'), { recursive: true }).catch(() => [])).filter((f) => f.endsWith('.png'));
    assert.deepEqual(await storedPngs(), []);
    await page.screenshot({ path: `${shots}/1280-oversize-file.png` });
    await page.locator('dialog').getByLabel('image').setInputFiles({ name: 'small.png', mimeType: 'image/png', buffer: small });
    await page.getByRole('button', { name: 'Create record' }).click();
    await page.locator('tbody img.thumb').waitFor();
    assert.equal((await pb.collection('photos').getList(1, 1)).totalItems, 1);

    // An auth record: impersonation hands out a token of that user.
    const user = await pb.collection('users').create({ email: 'ann@example.com', password: 'ann password 1', passwordConfirm: 'ann password 1' });
    await page.goto(`${server.url}/_/#/records/users`);
    await page.getByRole('button', { name: `Edit record ${user.id}` }).click();
    await page.getByText('No linked external accounts.').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    const usersCollection = await pb.collections.getOne('users');
    await pb.collection('_externalAuths').create({
      collectionRef: usersCollection.id, recordRef: user.id, provider: 'github', providerId: 'gh-42',
    });
    await page.getByRole('button', { name: `Edit record ${user.id}` }).click();
    await page.getByText('github: gh-42').waitFor();
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Unlink github' }).click();
    await page.getByText('No linked external accounts.').waitFor();
    assert.equal((await pb.collection('_externalAuths').getList(1, 1)).totalItems, 0);
    await page.getByRole('button', { name: 'Impersonate' }).click();
    const impersonation = await page.getByLabel('Token of ann@example.com').inputValue();
    const asAnn = new PocketBase(server.url);
    asAnn.authStore.save(impersonation, null);
    assert.equal((await asAnn.collection('users').authRefresh()).record.id, user.id);
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Settings: a bad application URL is refused next to its input; a good change is saved.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Application name').fill('Basalt under test');
    await page.getByLabel('Application URL').fill('not a url');
    assert.deepEqual(await unlabelled(page), []);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#set-appurl ~ .error').waitFor();
    await page.getByLabel('Application URL').fill('http://localhost:8090');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    assert.equal((await pb.settings.getAll()).meta.appName, 'Basalt under test');
    await page.screenshot({ path: `${shots}/1280-settings.png` });

    // Backups: one created, downloaded through the page, uploaded again under a new name and
    // listed; a file the server refuses (its name) with the server's message next to the
    // input. On PostgreSQL the server refuses backups (docs/postgres.md): its 400 is shown.
    const uploadError = page.locator('#backup-file-error');
    if (usePostgres) {
      await page.getByRole('button', { name: 'Create backup' }).click();
      await page.getByText('Backups are not available').waitFor();
      await page.getByLabel('Backup file to upload (.zip)').setInputFiles({ name: 'copy.zip', mimeType: 'application/zip', buffer: Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'latin1') });
      await page.getByRole('button', { name: 'Upload backup' }).click();
      await uploadError.filter({ hasText: /\S/ }).waitFor();
    } else {
      await page.getByRole('button', { name: 'Create backup' }).click();
      await page.getByText('Backup created.').waitFor();
      const [created] = await pb.backups.getFullList();
      const downloading = page.waitForEvent('download');
      await page.locator('li', { hasText: created.key }).getByRole('button', { name: 'Download' }).click();
      const archive = await (await downloading).createReadStream().then(async (stream) => {
        const parts = [];
        for await (const part of stream) parts.push(part);
        return Buffer.concat(parts);
      });
      assert.equal(archive.length, created.size);
      await page.getByLabel('Backup file to upload (.zip)').setInputFiles({ name: 'Not A Backup.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await page.getByRole('button', { name: 'Upload backup' }).click();
      await uploadError.filter({ hasText: /\S/ }).waitFor();
      assert.equal(await page.getByLabel('Backup file to upload (.zip)').getAttribute('aria-invalid'), 'true');
      const refusedUpload = await pb.backups.upload({ file: new File([Buffer.from('hello')], 'Not A Backup.txt', { type: 'text/plain' }) }).catch((e) => e);
      assert.equal(refusedUpload.status, 400);
      assert.equal(await uploadError.textContent(), refusedUpload.response.data.file.message);
      await page.screenshot({ path: `${shots}/1280-backup-upload-error.png` });
      await page.getByLabel('Backup file to upload (.zip)').setInputFiles({ name: 'uploaded_copy.zip', mimeType: 'application/zip', buffer: archive });
      await page.getByRole('button', { name: 'Upload backup' }).click();
      await page.getByText('Uploaded uploaded_copy.zip.').waitFor();
      await page.locator('li', { hasText: 'uploaded_copy.zip' }).waitFor();
      assert.equal((await uploadError.textContent()).trim(), '');
      const listed = await pb.backups.getFullList();
      assert.deepEqual(listed.map((b) => b.key).sort(), [created.key, 'uploaded_copy.zip'].sort());
      assert.equal(listed.find((b) => b.key === 'uploaded_copy.zip').size, created.size);
    }
    assert.deepEqual(await unlabelled(page), []);
    await page.screenshot({ path: `${shots}/1280-backups.png`, fullPage: true });

    // Logs: the chart, and a bad filter's message under the box, which it describes, with the
    // place the server names (data.filter.position) marked as on the records page.
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Requests per hour' }).waitFor();
    await page.getByLabel('Filter').fill('status >>');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    const logsError = page.locator('#logs-filter-error');
    await logsError.filter({ hasText: /\S/ }).waitFor();
    assert.equal(await page.getByLabel('Filter').getAttribute('aria-describedby'), 'logs-filter-error');
    assert.equal(await page.getByLabel('Filter').getAttribute('aria-invalid'), 'true');
    const logsRefusal = await pb.logs.getList(1, 1, { filter: 'status >>' }).catch((e) => e);
    assert.equal(logsRefusal.status, 400);
    assert.ok((await logsError.textContent()).includes(logsRefusal.response.message));
    // 'status >>': the parser stops at the operator it cannot read.
    assert.equal(logsRefusal.response.data.filter.position, 'status '.length);
    assert.equal(await page.getByTestId('filter-mark').locator('mark').textContent(), '>');
    await page.screenshot({ path: `${shots}/1280-logs.png` });
    await page.getByLabel('Filter').fill('data.status >= 200');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.locator('#logs-filter[aria-invalid=false]').waitFor();
    assert.equal((await logsError.textContent()).trim(), '');
    // The metrics glance: requests counted, the records route among the busiest.
    await page.getByRole('link', { name: 'Metrics' }).click();
    await page.getByTestId('metrics-total').filter({ hasText: /^[1-9]\d*$/ }).waitFor();
    await page.getByRole('cell', { name: 'GET /api/collections/{collection}/records', exact: true }).waitFor();
    await page.screenshot({ path: `${shots}/1280-metrics.png` });

    // Collections as JSON: the export names posts; an import the server refuses shows why
    // and changes nothing.
    await page.getByRole('link', { name: 'Collections' }).click();
    await page.getByText('Import / export (JSON)').click();
    await page.getByRole('button', { name: 'Export collections' }).click();
    await page.getByText('Exported the non-system collections').waitFor();
    assert.match(await page.getByLabel('Collections JSON').inputValue(), /"name": "posts"/);
    await page.getByLabel('Collections JSON').fill('[{"name": "bad name!", "type": "base"}]');
    await page.getByRole('button', { name: 'Import collections' }).click();
    await page.locator('.panel .alert[role=alert]').waitFor();
    assert.equal((await pb.collections.getFullList()).filter((c) => c.name === 'bad name!').length, 0);

    await page.goto(`${server.url}/_/#/records/posts`);
    await page.getByText('2 records').waitFor();

    // 1,000 rows rendered (reported, not asserted).
    for (let i = 0; i < 998; i += 50) {
      const chunk = [];
      for (let j = i; j < Math.min(i + 50, 998); j++) {
        chunk.push(pb.collection('posts').create({ title: `bulk ${j}`, views: j }));
      }
      await Promise.all(chunk);
    }
    await page.getByText('1000 records').waitFor();

    // Showing 1,000 rows, measured by the page itself (ui/src/lib/renderTiming.ts): the User
    // Timing measure 'records:render' runs from the moment the SDK hands over the parsed list
    // (mark 'records:response') to a task queued from the first animation frame after Svelte
    // put the rows in the DOM, i.e. after that frame's style, layout and paint (mark
    // 'records:painted'). `fromLastByte` adds what comes before the mark: from the list
    // response's last byte (its Resource Timing responseEnd) on, JSON decoding included. The
    // first showing comes from "Per page"; then each click on the views header sorts the other
    // way, so the rows on screen are new ones each time. Reported (median of the sorted runs),
    // not asserted: the machine is shared.
    // The timeline is emptied before each action (the page also empties it past 100 measures),
    // so the measure waited for is this action's.
    const timeShowing = async (action) => {
      await page.evaluate(() => { performance.clearMeasures('records:render'); performance.clearResourceTimings(); });
      const listed = page.waitForResponse((res) => res.url().includes('perPage=1000'));
      await action();
      await (await listed).finished();
      await page.waitForFunction(() => performance.getEntriesByName('records:render').some((e) => e.detail?.rows === 1000));
      return page.evaluate(() => {
        const m = performance.getEntriesByName('records:render').filter((e) => e.detail?.rows === 1000).at(-1);
        const painted = m.startTime + m.duration;
        const response = performance.getEntriesByType('resource').filter((e) => e.name.includes('perPage=1000') && e.responseEnd <= m.startTime).at(-1);
        return { render: m.duration, fromLastByte: response ? painted - response.responseEnd : null };
      });
    };
    const first = await timeShowing(() => page.getByLabel('Per page').selectOption('1000'));
    const runs = [];
    for (let i = 0; i < 7; i++) runs.push(await timeShowing(() => page.getByRole('button', { name: /^views/ }).click()));
    const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
    const round = (v) => Math.round(v * 10) / 10;
    timings.render1000Rows = {
      first: round(first.render),
      runs: runs.map((r) => round(r.render)),
      median: round(median(runs.map((r) => r.render))),
      medianFromLastByte: round(median(runs.map((r) => r.fromLastByte ?? NaN))),
    };
    timings.load = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

    // The rows are virtualized: few are in the document, but the table tells assistive
    // technology its size and each row its place.
    const table = page.locator('table').filter({ has: page.locator('tbody tr[data-id]') });
    assert.equal(await table.getAttribute('aria-rowcount'), '1001');
    const inDocument = await page.locator('tbody tr[data-id]').count();
    assert.ok(inDocument > 0 && inDocument < 200, `${inDocument} rows in the document`);
    const firstRow = page.locator('tbody tr[data-id]').first();
    assert.equal(await firstRow.getAttribute('aria-rowindex'), '2');
    // Keyboard: ArrowDown moves to the next row's checkbox, End to the last row (rendered on
    // the way), Space selects it; Tab from the last row in the document reaches the next row.
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      return { label: el?.getAttribute('aria-label'), row: el?.closest('tr')?.getAttribute('aria-rowindex') };
    });
    const ids = await page.locator('tbody tr[data-id]').evaluateAll((rows) => rows.map((r) => r.dataset.id));
    await page.getByLabel(`Select record ${ids[0]}`).focus();
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await focused(), { label: `Select record ${ids[1]}`, row: '3' });
    await page.keyboard.press('End');
    assert.equal((await focused()).row, '1001');
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Delete selected (1)' }).waitFor();
    // Shift+Tab from the first row in the document (the window is at the end now) reaches the
    // row before it.
    const firstInDocument = page.locator('tbody tr[data-id]').first();
    const firstIndex = Number(await firstInDocument.getAttribute('aria-rowindex'));
    assert.ok(firstIndex > 2);
    await firstInDocument.getByRole('checkbox').focus();
    await page.keyboard.press('Shift+Tab');
    const previousId = await page.locator(`tbody tr[aria-rowindex="${firstIndex - 1}"]`).getAttribute('data-id');
    assert.deepEqual(await focused(), { label: `Edit record ${previousId}`, row: String(firstIndex - 1) });
    // Home keeps the column: from an Edit button to the first row's Edit button.
    await page.keyboard.press('Home');
    assert.deepEqual(await focused(), { label: `Edit record ${ids[0]}`, row: '2' });
    await page.keyboard.press('PageDown');
    assert.ok(Number((await focused()).row) > 3);
    const lastInDocument = page.locator('tbody tr[data-id]').last();
    const lastIndex = Number(await lastInDocument.getAttribute('aria-rowindex'));
    assert.ok(lastIndex < 1001);
    await lastInDocument.getByRole('button', { name: /^Edit record / }).focus();
    await page.keyboard.press('Tab');
    assert.equal((await focused()).row, String(lastIndex + 1));
    await page.keyboard.press('Home');
    assert.deepEqual(await focused(), { label: `Select record ${ids[0]}`, row: '2' });
    // Select all: every row of the page, those outside the window included; then none.
    const selectAll = page.getByLabel('Select all 1000 records of this page');
    await selectAll.check();
    await page.getByRole('button', { name: 'Delete selected (1000)' }).waitFor();
    await selectAll.uncheck();
    await page.locator('button', { hasText: /^Delete selected/ }).waitFor({ state: 'detached' });
    assert.deepEqual(await unlabelled(page), []);
    await page.screenshot({ path: `${shots}/1280-1000-rows.png` });
    // At 375 px the 1,000 rows are still usable: no page-wide horizontal overflow, and the
    // last row reachable with the keyboard.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByLabel(`Select record ${ids[0]}`).focus();
    await page.keyboard.press('End');
    assert.equal((await focused()).row, '1001');
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(pageWidth <= 375, `the page is ${pageWidth} px wide: ${JSON.stringify(await overflowing(page, 375))}`);
    await page.screenshot({ path: `${shots}/375-1000-rows.png` });
    await page.context().close();
  });

  test('webhooks, brokers, crons and jobs, token and log settings at 1280 px', async () => {
    const page = await newPage(1280);
    await page.goto(`${server.url}/_/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    const pb = new PocketBase(server.url);
    pb.autoCancellation(false);
    await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
    const receiver = await startReceiver();
    try {
      // A webhook: a bad URL and a filter naming no field of posts are refused next to their
      // inputs, all in one answer; then created, its secret shown once.
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { name: 'Webhooks and brokers' }).waitFor();
      await page.getByRole('button', { name: 'New webhook' }).click();
      const form = page.locator('dialog');
      await form.getByLabel('URL').fill('ftp://example.com/hook');
      await form.getByLabel('posts').check();
      await form.getByLabel('create').check();
      await form.getByLabel(/^Filter/).fill('nosuch > 100');
      assert.deepEqual(await unlabelled(page), []);
      await form.getByRole('button', { name: 'Create webhook' }).click();
      await page.locator('#dest-url-error').filter({ hasText: /\S/ }).waitFor();
      await page.locator('#dest-filter-error').filter({ hasText: /\S/ }).waitFor();
      assert.equal((await pb.send('/api/webhooks', { method: 'GET' })).items.length, 0);
      await page.screenshot({ path: `${shots}/1280-webhook-errors.png` });
      await form.getByLabel('URL').fill(receiver.url);
      await form.getByLabel(/^Filter/).fill('views > 100');
      await form.getByRole('button', { name: 'Create webhook' }).click();
      const secret = await page.getByLabel(/^Signing secret \(shown once/).inputValue();
      assert.match(secret, /^whsec_/);
      await page.getByRole('button', { name: 'Done' }).click();
      const row = page.locator('tbody tr', { hasText: receiver.url });
      await row.waitFor();
      const [hook] = (await pb.send('/api/webhooks', { method: 'GET' })).items;
      assert.deepEqual([hook.url, hook.actions, hook.filter, hook.enabled], [receiver.url, ['create'], 'views > 100', true]);
      assert.notEqual(hook.secret, secret); // listings mask it

      // A create the filter wants is delivered; one it does not want is not.
      await pb.collection('posts').create({ title: 'small', views: 1 });
      const wanted = await pb.collection('posts').create({ title: 'big', views: 500 });
      const first = await receiver.next();
      assert.equal(first.body.data.record.id, wanted.id);
      // The log, then a redelivery of its row: the same event id again.
      await deliveriesWhen(pb, hook.id, 1);
      await row.getByRole('button', { name: /^Deliveries of / }).click();
      const logRow = page.locator('section tbody tr', { hasText: first.id });
      await logRow.getByText('delivered').waitFor();
      await logRow.getByRole('button', { name: /^Redeliver / }).click();
      await page.getByText(`Event ${first.id} queued for redelivery`).waitFor();
      const again = await receiver.next();
      assert.equal(again.id, first.id);
      await deliveriesWhen(pb, hook.id, 2);
      await page.getByRole('button', { name: 'Refresh deliveries' }).click();
      await page.getByText('2 attempts logged').waitFor();
      await page.screenshot({ path: `${shots}/1280-deliveries.png`, fullPage: true });

      // Disable, edit (the filter), enable, delete.
      await row.getByRole('button', { name: `Disable ${receiver.url}` }).click();
      await row.getByText('disabled').waitFor();
      assert.equal((await pb.send(`/api/webhooks/${hook.id}`, { method: 'GET' })).enabled, false);
      await row.getByRole('button', { name: `Edit ${receiver.url}` }).click();
      await form.getByLabel(/^Filter/).fill('views > 1000');
      await form.getByRole('button', { name: 'Save webhook' }).click();
      await row.getByText('views > 1000').waitFor();
      await row.getByRole('button', { name: `Enable ${receiver.url}` }).click();
      await row.getByText('enabled').waitFor();
      page.once('dialog', (dialog) => dialog.accept());
      await row.getByRole('button', { name: `Delete ${receiver.url}` }).click();
      await page.getByText('0 webhooks').waitFor();
      await assert.rejects(pb.send(`/api/webhooks/${hook.id}`, { method: 'GET' }), (e) => e.status === 404);

      // A RabbitMQ destination: the configuration's error nested under config, then created;
      // its password masked in the list; an edit that leaves the configuration alone.
      await page.getByRole('link', { name: 'RabbitMQ' }).click();
      await page.getByRole('button', { name: 'New RabbitMQ destination' }).click();
      await form.getByLabel(/^Configuration/).fill('{"url": "http://mq.internal", "exchange": "basalt"}');
      await form.getByRole('button', { name: 'Create RabbitMQ destination' }).click();
      await page.locator('#dest-config-error li', { hasText: /^url: / }).waitFor();
      await form.getByLabel(/^Configuration/).fill('{"url": "amqp://basalt:s3cret@mq.internal:5672/prod", "exchange": "basalt"}');
      await form.getByRole('button', { name: 'Create RabbitMQ destination' }).click();
      const brokerRow = page.locator('tbody tr', { hasText: 'amqp://basalt:***@mq.internal:5672/prod' });
      await brokerRow.waitFor();
      await page.screenshot({ path: `${shots}/1280-brokers.png` });
      await brokerRow.getByRole('button', { name: /^Edit / }).click();
      await form.getByLabel('delete').check();
      await form.getByRole('button', { name: 'Save RabbitMQ destination' }).click();
      await brokerRow.locator('td', { hasText: /^delete$/ }).waitFor();
      const [broker] = (await pb.send('/api/brokers/rabbitmq', { method: 'GET' })).items;
      assert.deepEqual(broker.actions, ['delete']);
      assert.equal(broker.config.url, 'amqp://basalt:***@mq.internal:5672/prod');
      page.once('dialog', (dialog) => dialog.accept());
      await brokerRow.getByRole('button', { name: /^Delete / }).click();
      await page.getByText('0 destinations').waitFor();
    } finally {
      await receiver.close();
    }

    // Crons: run one now, its job listed; a limit the server refuses shows its message.
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('button', { name: 'Run __pbLogsCleanup__ now' }).click();
    await page.getByText('__pbLogsCleanup__ queued to run now.').waitFor();
    await page.locator('tr[data-id]', { hasText: 'cron' }).first().waitFor();
    await page.getByLabel('Newest').fill('0');
    await page.getByRole('button', { name: 'Show jobs' }).click();
    await page.locator('p.error[role=alert]').filter({ hasText: /\S/ }).waitFor();
    await page.getByLabel('Newest').fill('100');
    await page.getByLabel('State').selectOption('done');
    await page.getByRole('button', { name: 'Show jobs' }).click();
    await page.locator('p.error[role=alert]').waitFor({ state: 'detached' });
    assert.deepEqual(await unlabelled(page), []);
    await page.screenshot({ path: `${shots}/1280-jobs.png`, fullPage: true });

    // Tokens: a duration under the minimum refused next to its input; a valid one saved;
    // invalidating the users' auth tokens signs a user out.
    const ann = new PocketBase(server.url);
    await ann.collection('users').authWithPassword('ann@example.com', 'ann password 1');
    await page.getByRole('link', { name: 'Settings' }).click();
    const duration = page.getByLabel('Auth token duration (users)');
    await duration.fill('5');
    await page.getByRole('button', { name: 'Save tokens of users' }).click();
    await page.locator('#tok-users-authToken-error').filter({ hasText: /\S/ }).waitFor();
    await duration.fill('3600');
    await page.getByLabel('Invalidate all previously issued auth tokens (users)').check();
    await page.getByRole('button', { name: 'Save tokens of users' }).click();
    await page.getByText('Saved; earlier auth tokens no longer work.').waitFor();
    assert.equal((await pb.collections.getOne('users')).authToken.duration, 3600);
    await assert.rejects(ann.collection('users').authRefresh(), (e) => e.status === 401);
    // A fresh sign-in gets a token under the new secret.
    await new PocketBase(server.url).collection('users').authWithPassword('ann@example.com', 'ann password 1');
    await page.screenshot({ path: `${shots}/1280-tokens.png`, fullPage: true });

    // Log settings.
    await page.getByLabel(/^Keep logs for/).fill('7');
    await page.getByLabel('Lowest level logged').selectOption({ label: 'warn (4)' });
    await page.getByLabel('Record the authenticated record id').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const logs = (await pb.settings.getAll()).logs;
    assert.deepEqual([logs.maxDays, logs.minLevel, logs.logAuthId], [7, 4, true]);
    assert.deepEqual(await unlabelled(page), []);
    await page.context().close();
  });

  test('sign-in and the records page at 375 px', async () => {
    const page = await newPage(375);
    await page.goto(`${server.url}/_/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    await page.goto(`${server.url}/_/#/records/posts`);
    await page.getByLabel('Filter').fill('title = "gamma"');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByText('1 records').waitFor();
    // Nothing wider than the screen but the table's own scroller.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the page is ${width} px wide`);
    assert.deepEqual(await unlabelled(page), []);
    await page.screenshot({ path: `${shots}/375-records.png`, fullPage: true });
    // The backup upload form and a refused logs filter fit too.
    await page.goto(`${server.url}/_/#/settings`);
    await page.getByRole('button', { name: 'Upload backup' }).waitFor();
    await page.getByLabel('Backup file to upload (.zip)').setInputFiles({ name: 'Bad Name.txt', mimeType: 'text/plain', buffer: Buffer.from('x') });
    await page.getByRole('button', { name: 'Upload backup' }).click();
    await page.locator('#backup-file-error').filter({ hasText: /\S/ }).waitFor();
    const settingsWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(settingsWidth <= 375, `settings are ${settingsWidth} px wide: ${JSON.stringify(await overflowing(page, 375))}`);
    assert.deepEqual(await unlabelled(page), []);
    await page.goto(`${server.url}/_/#/logs`);
    await page.getByLabel('Filter').fill('status >>');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.locator('#logs-filter-error').filter({ hasText: /\S/ }).waitFor();
    const logsWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(logsWidth <= 375, `logs are ${logsWidth} px wide: ${JSON.stringify(await overflowing(page, 375))}`);
    assert.deepEqual(await unlabelled(page), []);
    await page.screenshot({ path: `${shots}/375-logs-filter-error.png`, fullPage: true });
    await page.context().close();
    assert.deepEqual(foreign, [], 'requests left the server origin');
  });
});
