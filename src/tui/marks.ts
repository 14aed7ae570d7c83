/**
 * Marked jobs of the console, for bulk actions: `space` marks one job, `A` every job of the tab (or
 * of the search). A whole tab is marked as such, not job by job: it may hold a million jobs, and
 * the engine's bulk operations act on a status as a whole.
 */
import type { Job } from '../engine/types.js';
import type { StatusTab } from './store.js';

/** What is marked: jobs of one queue and tab. */
export interface Marks {
  queue: string;
  tab: StatusTab;
  /** Marked job ids, in the order they were marked (empty when `all`). */
  ids: string[];
  /** Every job of the tab, however many; `ids` is then empty. */
  all: boolean;
}

/** A bulk action under way: what it does and how far it has got. */
export interface BulkProgress {
  label: string;
  done: number;
  total: number;
}

/** A bulk action on marked jobs. */
export type BulkAction = 'retry' | 'cancel' | 'delete';

/** The tabs each bulk action applies to (the others refuse with a toast). */
export const BULK_TABS: Readonly<Record<BulkAction, readonly StatusTab[]>> = {
  retry: ['failed', 'cancelled'],
  cancel: ['pending', 'delayed', 'processing', 'retrying'],
  delete: ['completed', 'failed', 'cancelled'],
};

/** The marks of the queue and tab on screen, or null. */
export function marksShown(marks: Marks | null, queue: string | undefined, tab: StatusTab): Marks | null {
  return marks && marks.queue === queue && marks.tab === tab ? marks : null;
}

/** Marks with `job` added, or taken off when it was marked; null when none remain. */
export function toggledMarks(marks: Marks | null, queue: string, tab: StatusTab, job: Job): Marks | null {
  const current = marksShown(marks, queue, tab);
  // Unmarking one job of a whole marked tab would need every other id: it unmarks the tab instead.
  if (!current || current.all) return { queue, tab, ids: [job.id], all: false };
  const ids = current.ids.includes(job.id) ? current.ids.filter((id) => id !== job.id) : [...current.ids, job.id];
  return ids.length === 0 ? null : { ...current, ids };
}

/** `A`: every job of the tab, or of the search's matches; pressed again, no job. */
export function allMarks(marks: Marks | null, queue: string, tab: StatusTab, searchMatches: readonly Job[] | null): Marks | null {
  const current = marksShown(marks, queue, tab);
  if (searchMatches) {
    const ids = searchMatches.map((job) => job.id);
    const same = current && !current.all && current.ids.length === ids.length && ids.every((id) => current.ids.includes(id));
    return same || ids.length === 0 ? null : { queue, tab, ids, all: false };
  }
  return current?.all ? null : { queue, tab, ids: [], all: true };
}

/** How many jobs the marks stand for; a marked tab counts what the tab holds now (`tabCount`). */
export function markedCount(marks: Marks | null, tabCount: number): number {
  if (!marks) return 0;
  return marks.all ? tabCount : marks.ids.length;
}
