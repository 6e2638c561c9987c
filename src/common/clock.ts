/**
 * The current time, injected wherever timed logic decides something (retry backoff, schedules,
 * expiry), so tests move time instead of sleeping. The class is its own injection token.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
