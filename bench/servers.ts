/**
 * The servers the transport benches talk to, run in a child process: ours (`startService`, as
 * the CLI runs it) beside the bare baselines, with the issuer it trusts.
 *
 * A child of its own, as in production, where the proxy and the authorization service are
 * separate processes: the load generator's work does not share an event loop with the servers',
 * and the child's CPU time, sampled around each round, is the servers' cost alone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** Ports the child listens on (all on 127.0.0.1), and the token ours allows. */
export interface ServerPorts {
  readonly grpc: { readonly ours: number; readonly baseline: number };
  readonly http: { readonly ours: number; readonly baseline: number };
  /** A valid access token for ours (`sub` user-1, role `user`), good for 15 minutes. */
  readonly token: string;
}

/** Parent to child. */
export type ParentMessage = { readonly type: 'cpu' } | { readonly type: 'close' };

/** Child to parent. */
export type ChildMessage =
  | ({ readonly type: 'ready' } & ServerPorts)
  | { readonly type: 'cpu'; readonly usage: NodeJS.CpuUsage };

/** The running child. */
export interface BenchServers extends ServerPorts {
  /** CPU time (user + system) the child has used so far, in microseconds. */
  cpuUs(): Promise<number>;
  /** Asks the child to close everything and exit; kills it if it has not within 5 s. */
  close(): Promise<void>;
}

/** Options of {@link startServers}. */
export interface StartServersOptions {
  /** Write a V8 CPU profile of the child here (`node --cpu-prof`) when it exits. */
  readonly cpuProfileDir?: string;
}

type MessageOf<T extends ChildMessage['type']> = Extract<ChildMessage, { type: T }>;

function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<MessageOf<T>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as MessageOf<T>);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`bench servers exited (${code}) before answering '${type}'`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Forks the servers' process and waits until every server listens and ours is ready. */
export async function startServers(options: StartServersOptions = {}): Promise<BenchServers> {
  const profile =
    options.cpuProfileDir === undefined
      ? []
      : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir];
  const child = fork(new URL('./servers-main.ts', import.meta.url), [], {
    execArgv: [...process.execArgv, ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const send = (message: ParentMessage) => child.send(message);

  let ready: MessageOf<'ready'>;
  try {
    ready = await nextMessage(child, 'ready');
  } catch (error) {
    child.kill();
    throw error;
  }

  return {
    grpc: ready.grpc,
    http: ready.http,
    token: ready.token,
    async cpuUs() {
      const answer = nextMessage(child, 'cpu');
      send({ type: 'cpu' });
      const { usage } = await answer;
      return usage.user + usage.system;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      send({ type: 'close' });
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
