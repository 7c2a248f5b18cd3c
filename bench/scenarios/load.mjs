// Runs `count` calls of an async action with at most `concurrency` in flight, the way
// PocketBase's runner does (its errgroup with a limit), and measures the total time, the load
// program's own CPU and the server's CPU over the same span.
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) the process `pid` has used so far, from /proc. */
export function processCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

function ownCpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * @param {number} count
 * @param {number} concurrency
 * @param {(i: number, worker: number) => Promise<string | null>} action  resolves with null when the call did
 *   what it should, else with a description of what went wrong (a failed call is counted and
 *   the run goes on, as PocketBase's runner counts errors)
 * @param {number} serverPid
 * @returns {Promise<{seconds: number, clientCpu: number, serverCpu: number, errors: string[]}>}
 */
export async function runLoad(count, concurrency, action, serverPid) {
  const errors = [];
  let next = 0;
  const worker = async (_, workerIndex) => {
    while (next < count) {
      const i = next++;
      try {
        const problem = await action(i, workerIndex);
        if (problem) errors.push(problem);
      } catch (error) {
        errors.push(error.message);
      }
    }
  };
  const serverCpuBefore = processCpuSeconds(serverPid);
  const clientCpuBefore = ownCpuSeconds();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    clientCpu: ownCpuSeconds() - clientCpuBefore,
    serverCpu: processCpuSeconds(serverPid) - serverCpuBefore,
    errors,
  };
}
