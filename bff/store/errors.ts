// A store that failed (unreachable, timed out, a write refused): nothing was stored. The caller says
// what that means for its client; the HTTP edge answers 503 store_unavailable with that message.
export class StoreError extends Error {
  override name = 'StoreError';
}

/** For `.catch()`: rethrow any store failure as a StoreError with this public message (the cause kept for the log). */
export const storeFailure =
  (message: string) =>
  (cause: unknown): never => {
    throw new StoreError(message, { cause });
  };
