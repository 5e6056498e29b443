// Group commit of folder fsyncs. A rename or unlink is durable once its folder is fsynced, and
// one fsync covers every change made in the folder before it started. So concurrent commits
// into one folder share fsyncs: a caller that finds none in flight starts one; a caller that
// finds one in flight (which may have started before its change) waits for the next, which
// everyone arriving meanwhile shares. Each caller still resolves only after an fsync that
// began after it called, so no 200 goes out before its change is on disk.
import { fsyncDir } from './fs-util.js';

interface Round {
  readonly done: Promise<void>;
  next: Promise<void> | null;
}

const ignore = (): void => {};

export class DirSyncer {
  private readonly rounds = new Map<string, Round>();

  constructor(private readonly fsync: (dir: string) => Promise<void> = fsyncDir) {}

  sync(dir: string): Promise<void> {
    const round = this.rounds.get(dir);
    if (round === undefined) return this.begin(dir);
    round.next ??= round.done.then(ignore, ignore).then(() => this.begin(dir));
    return round.next;
  }

  private begin(dir: string): Promise<void> {
    const round: Round = {
      done: this.fsync(dir).finally(() => {
        if (this.rounds.get(dir) === round) this.rounds.delete(dir);
      }),
      next: null,
    };
    this.rounds.set(dir, round);
    return round.done;
  }
}
