import { HublotError } from "../../errors";

export class TimeoutError extends HublotError {
  constructor(ms: number) {
    super(
      "TIMEOUT",
      `the request ran longer than its ${ms} ms deadline and was stopped; ask for smaller pages, fewer fields or a narrower period`,
      { limit: ms },
    );
  }
}

/**
 * A request's deadline. graphql-js cannot cancel an execution, so every resolver checks it before it
 * starts and races its promise against it (src/errors.ts): past the deadline no new work begins and a
 * statement that hangs no longer holds the answer.
 */
export class Deadline {
  private readonly at: number;
  private readonly timer: NodeJS.Timeout;
  readonly expiry: Promise<never>;

  constructor(readonly ms: number) {
    this.at = Date.now() + ms;
    let reject: (error: Error) => void = () => {};
    this.expiry = new Promise<never>((_resolve, r) => {
      reject = r;
    });
    // Nobody may be racing when it fires: the rejection is then nobody's to handle.
    this.expiry.catch(() => {});
    this.timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
    this.timer.unref();
  }

  get expired(): boolean {
    return Date.now() >= this.at;
  }

  error(): TimeoutError {
    return new TimeoutError(this.ms);
  }

  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.expiry]);
  }

  /** Called once the answer is sent, so no timer outlives its request. */
  cancel(): void {
    clearTimeout(this.timer);
  }
}
