// In-process locks. The filesystem backend assumes one process per root directory; these
// serialise what the filesystem alone cannot: commits of one key, and bucket deletion
// against commits into that bucket.

/** Runs callbacks one at a time per name, in arrival order. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(name, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}

interface RwState {
  readers: number;
  writing: boolean;
  queue: { exclusive: boolean; grant: () => void }[];
}

/** Shared/exclusive lock per name, FIFO so an exclusive waiter is not starved. */
export class KeyedRwLock {
  private readonly states = new Map<string, RwState>();

  shared<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.run(name, false, fn);
  }

  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.run(name, true, fn);
  }

  private async run<T>(name: string, exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    let state = this.states.get(name);
    if (!state) {
      state = { readers: 0, writing: false, queue: [] };
      this.states.set(name, state);
    }
    const s = state;
    await new Promise<void>((grant) => {
      s.queue.push({ exclusive, grant });
      this.pump(s);
    });
    try {
      return await fn();
    } finally {
      if (exclusive) s.writing = false;
      else s.readers--;
      this.pump(s);
      if (!s.writing && s.readers === 0 && s.queue.length === 0) this.states.delete(name);
    }
  }

  private pump(s: RwState): void {
    while (s.queue.length > 0 && !s.writing) {
      const next = s.queue[0];
      if (next.exclusive && s.readers > 0) return;
      s.queue.shift();
      if (next.exclusive) s.writing = true;
      else s.readers++;
      next.grant();
    }
  }
}
