/**
 * Runs the real `kmsgate server` CLI as a child process on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../gateway/dist/cli.js', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  endpoint: string;
  /** Everything the process printed so far (it keeps growing while it runs). */
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size of the gateway process so far, in MiB. */
  peakRssMiB(): Promise<number>;
  stop(): Promise<void>;
}

/** `nodeArgs` go to node itself, before the script (--cpu-prof is refused in NODE_OPTIONS). */
export function spawnGateway(dataDir: string, env: NodeJS.ProcessEnv = {}, args: string[] = [], nodeArgs: string[] = []): Promise<GatewayProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, CLI, 'server', '--address', '127.0.0.1:0', '--data-dir', dataDir, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const onExit = (code: number | null): void => reject(new Error(`gateway exited with ${code}: ${stderr}`));
    child.once('exit', onExit);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      // Ready once the line after "listening" (the credentials notice) is complete too.
      if (!match || !/(AWS_SECRET_ACCESS_KEY=\S+\n|admin access key id: \S+\n)/.test(stdout)) return;
      child.off('exit', onExit);
      resolve({
        child,
        endpoint: match[1]!,
        get stdout() {
          return stdout;
        },
        get stderr() {
          return stderr;
        },
        peakRssMiB: async () => Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          // 'close', not 'exit': by then everything the process printed has been read.
          const exited = new Promise((r) => child.once('close', r));
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
