/**
 * A byte budget for upload buffers (issue 14): however many uploads run at once, the bytes they
 * hold in memory (a photo read whole, a chunk of a video, and the multipart body built from it)
 * stay within `publish.memoryBudgetMb`. A buffer takes its bytes before it is read and gives them
 * back once its request is done; one that does not fit waits, first come first served. A single
 * buffer larger than the whole budget still runs, alone, so nothing waits forever.
 */

const MB = 1024 * 1024;

/** Default budget: with the publisher's own ~130 MB, peak RSS stays under 300 MB (BENCHMARKS.md, burst). */
export const DEFAULT_MEMORY_BUDGET_MB = 64;

export class ByteBudget {
  private used = 0;
  private peak = 0;
  private readonly waiting: { n: number; grant: () => void }[] = [];

  constructor(private limit: number) {}

  setLimit(bytes: number): void {
    this.limit = bytes;
    this.grantWaiting();
  }

  /** The most bytes held at once so far. */
  get peakBytes(): number {
    return this.peak;
  }

  /** Waits until `n` bytes fit, takes them, and returns the function that gives them back (once). */
  async acquire(n: number): Promise<() => void> {
    if (this.waiting.length || !this.fits(n)) await new Promise<void>((grant) => this.waiting.push({ n, grant }));
    else this.take(n);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.used -= n;
      this.grantWaiting();
    };
  }

  /** Runs `fn` holding `n` bytes of the budget. */
  async use<T>(n: number, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(n);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private fits(n: number): boolean {
    return this.used === 0 || this.used + n <= this.limit;
  }

  private take(n: number): void {
    this.used += n;
    this.peak = Math.max(this.peak, this.used);
  }

  private grantWaiting(): void {
    while (this.waiting.length && this.fits(this.waiting[0]!.n)) {
      const w = this.waiting.shift()!;
      this.take(w.n);
      w.grant();
    }
  }
}

/** The publishing process's budget for upload buffers; the engine sets it from `publish.memoryBudgetMb`. */
export const uploadBuffers = new ByteBudget(DEFAULT_MEMORY_BUDGET_MB * MB);

/** `publish.memoryBudgetMb` in bytes (the default when unset or not a positive number). */
export function memoryBudgetBytes(config: { get<T>(key: string): T | undefined }): number {
  const v = Number(config.get<number>('publish.memoryBudgetMb') ?? DEFAULT_MEMORY_BUDGET_MB);
  return (Number.isFinite(v) && v > 0 ? v : DEFAULT_MEMORY_BUDGET_MB) * MB;
}
