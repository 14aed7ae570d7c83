// The worker's wire: what claimJobs, finishJobs, extendLeases and releaseJobs take and answer.
import { parseDetails, parseRecord, type JobDetails, type RecordFields } from './codec.js';

/** A script's nested array reply, as ioredis hands it over. */
export type Reply = (string | number | Reply)[];

/** A claimed job: its id, stored fields and details, and lease token. */
export interface ClaimedJob {
  id: string;
  fields: RecordFields;
  details: JobDetails;
  token: string;
}

/** What a claim brings back. */
export interface ClaimReply {
  jobs: ClaimedJob[];
  /** Ms until the next delayed/retrying job or lease deadline is due; -1 when there is none. */
  nextDue: number;
  /** Ms until the queue's rate limit lets another job start, when it holds the queue now; -1 when not. */
  heldFor: number;
  /** The claim stopped at its bound on clearing tombstones: ready jobs may wait behind the rest. */
  cut: boolean;
}

/** The outcome of one finished attempt, as `finishJobs.lua` records it. */
export interface Outcome {
  id: string;
  token: string;
  kind: 'completed' | 'retrying' | 'failed';
  /** Result JSON for `completed` ('' for none), the error otherwise. */
  value: string;
  retryDelay: number;
}

/**
 * What a store says of each outcome it was given: recorded (true), ignored because its job moved
 * on meanwhile (false), or held: a sharded queue keeps it for its shard's next call and tells its
 * listeners (`onRecorded`) what became of it once that call has answered.
 */
export type OutcomeFlag = boolean | 'held';

/** Told what became of outcomes a sharded queue held (see OutcomeFlag), once their shard answered. */
export type RecordedListener = (outcomes: readonly Outcome[], recorded: readonly boolean[]) => void;

/** A lease a worker holds on a running job. */
export interface Lease {
  id: string;
  token: string;
}

/**
 * Names one claim call, so that the same call sent again after its reply was lost gets the same
 * jobs back (see lua/includes/claim.lua): `slot` is `<client id>:<n>`, a few per client; `seq` tells
 * a resend from a later claim of the slot.
 */
export interface ClaimRequest {
  slot: string;
  seq: number;
}

/** Slots a client's claim requests cycle through: more than it ever has under way at once. */
const CLAIM_SLOTS = 8;

/** Hands out the claim requests of one client: a new one per call, or a failed one sent again. */
export class ClaimRequests {
  private seq = 0;
  constructor(private readonly clientId: string) {}

  next(): ClaimRequest {
    this.seq++;
    return { slot: `${this.clientId}:${this.seq % CLAIM_SLOTS}`, seq: this.seq };
  }
}

/** The details of the many claimed jobs that have none: one object for all, only ever read. */
const NO_DETAILS: JobDetails = Object.freeze({});

/** Reads the reply of claimJobs.lua (and the claim half of finishAndClaimJobs.lua). */
export function parseClaim(reply: Reply): ClaimReply {
  const [nextDue, claimed, withDetails, heldFor = -1, cut = 0] = reply as [number, string[], string[], number?, number?];
  const details = new Map<string, string>();
  for (let i = 0; i + 1 < withDetails.length; i += 2) details.set(withDetails[i]!, withDetails[i + 1]!);
  const jobs: ClaimedJob[] = [];
  for (let i = 0; i + 1 < claimed.length; i += 2) {
    const id = claimed[i]!;
    const fields = parseRecord(claimed[i + 1]!);
    // The scripts write every record; one that does not parse is a bug to hear of, not skip.
    if (!fields) throw new Error(`claimed job ${id} has a malformed record`);
    const stored = details.get(id);
    jobs.push({ id, fields, details: stored === undefined ? NO_DETAILS : parseDetails(stored), token: fields.q ?? '' });
  }
  return { nextDue: Number(nextDue), jobs, heldFor: Number(heldFor), cut: cut === 1 };
}

/**
 * The outcome arguments of finishJobs.lua, and the order its flags come back in: completions
 * without a result packed into one string first (the hot path), then the others.
 */
export function outcomeArgs(outcomes: readonly Outcome[]): { args: (string | number)[]; order: number[] } {
  let packed = '';
  const others: (string | number)[] = [];
  const order: number[] = [];
  const otherOrder: number[] = [];
  outcomes.forEach((o, i) => {
    if (o.kind === 'completed' && o.value === '') {
      packed += packed === '' ? `${o.id},${o.token}` : `,${o.id},${o.token}`;
      order.push(i);
    } else {
      others.push(o.id, o.token, o.kind, o.value, o.retryDelay);
      otherOrder.push(i);
    }
  });
  return { args: [packed, otherOrder.length, ...others], order: [...order, ...otherOrder] };
}

/** finishJobs.lua's flags, one per outcome in the order the outcomes were given. */
export function flagsInOrder(flags: readonly number[], order: readonly number[]): boolean[] {
  const recorded: boolean[] = [];
  order.forEach((outcomeIndex, i) => (recorded[outcomeIndex] = flags[i] === 1));
  return recorded;
}
