// Starts the REAL digonce binary for the browser test: `digonce demo` on a free loopback
// port with a temporary database generates a city, stores it and queues its planning
// job; this waits until the service listens and the job is done, then uploads a copy of
// the plan (through POST /v1/plans) that stays unscheduled, and plans a small plan whose
// hard deadline cannot hold (its schedule carries advice).
//
//   const d = await startDigonce({ bin: 'target/debug/digonce', compounds: 24, timeLimit: 3 });
//   d.url, d.plan, d.unscheduled, d.advised, d.schedule; await d.close();

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

/** Resolves once `pattern` matched a stdout line of `child` (rejects on exit or timeout). */
function waitForLines(child, patterns, timeoutMs) {
  return new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(() => reject(new Error(`digonce did not print ${Object.keys(patterns).filter((k) => !(k in found)).join(', ')} within ${timeoutMs} ms`)), timeoutMs);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      for (const [name, re] of Object.entries(patterns)) {
        const m = line.match(re);
        if (m && !(name in found)) found[name] = m;
      }
      if (Object.keys(found).length === Object.keys(patterns).length) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`digonce exited with ${code} before it was ready`)); });
  });
}

/** Polls a planning job until it is done; throws when it fails or takes too long. */
async function waitForJob(url, job, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/v1/jobs/${job}`);
    const body = await res.json();
    if (body.status === 'done') return body.schedule_id;
    if (body.status === 'failed' || body.status === 'cancelled') throw new Error(`planning job ${job} ${body.status}: ${body.error}`);
    if (Date.now() > deadline) throw new Error(`planning job ${job} still ${body.status} after ${timeoutMs} ms`);
    await sleep(500);
  }
}

/**
 * Starts `bin demo` and resolves to { url, plan, schedule, unscheduled, advised, close }.
 * `compounds` and `timeLimit` (seconds of search) size the city and its planning.
 */
export async function startDigonce({ bin, compounds = 24, seed = 3, timeLimit = 3, jobTimeoutMs = 300000 }) {
  const dir = mkdtempSync(join(tmpdir(), 'digonce-browser-'));
  const child = spawn(bin, ['demo', '--bind', '127.0.0.1:0', '--db', join(dir, 'demo.sqlite3'),
    '--compounds', String(compounds), '--seed', String(seed), '--time-limit', String(timeLimit)], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  const close = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => { child.once('exit', r); setTimeout(r, 15000); });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const found = await waitForLines(child, {
      demo: /^digonce demo plan (\S+) job (\S+)$/,
      listening: /^digonce listening on (http:\/\/\S+)$/,
    }, 120000);
    const url = found.listening[1];
    const [, plan, job] = found.demo;
    const schedule = await waitForJob(url, job, jobTimeoutMs);
    // The same city again as a second plan, never scheduled: the page shows it alone.
    const upload = await fetch(`${url}/v1/plans/${plan}`, { headers: { accept: 'application/geo+json' } });
    const created = await fetch(`${url}/v1/plans`, {
      method: 'POST', headers: { 'content-type': 'application/geo+json' }, body: await upload.arrayBuffer(),
    });
    if (created.status !== 201) throw new Error(`uploading the unscheduled copy answered ${created.status}`);
    const { id: unscheduled } = await created.json();
    // A plan whose hard deadline cannot hold (tests/fixtures/plans/too-short.geojson),
    // planned: the page shows its advice.
    const tooShort = readFileSync(new URL('../fixtures/plans/too-short.geojson', import.meta.url));
    const advisedUpload = await fetch(`${url}/v1/plans`, {
      method: 'POST', headers: { 'content-type': 'application/geo+json' }, body: tooShort,
    });
    if (advisedUpload.status !== 201) throw new Error(`uploading too-short.geojson answered ${advisedUpload.status}`);
    const { id: advised } = await advisedUpload.json();
    const queued = await fetch(`${url}/v1/plans/${advised}/schedules`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ time_limit_s: 5 }),
    });
    if (queued.status !== 202) throw new Error(`planning too-short.geojson answered ${queued.status}`);
    await waitForJob(url, new URL(queued.headers.get('location'), url).pathname.split('/').pop(), jobTimeoutMs);
    return { url, plan, schedule, unscheduled, advised, close };
  } catch (err) {
    await close();
    throw err;
  }
}
