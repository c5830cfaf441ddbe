/**
 * timeline.html: the campaign timeline drawn for a marketer.
 *
 * A pure function of the Timeline and a language: no I/O, no clock, no machine time zone. It is
 * built in two steps: a view model (timeline/model.ts: every text chosen, every number and
 * coordinate formatted, times in the campaign's zone with its DST rules) and a render step
 * (timeline/render.ts: the auto-escaping `html` template). Simplified Chinese by default; the
 * English page is a second file (timeline.en.html), each linking to the other, since the page
 * has no scripts.
 *
 * Layout: header with headline numbers and the midnight push, warnings, an overview Gantt
 * of the whole campaign (days), one zoomed panel per wave (hours, broken axis between the
 * email and SMS windows), a per-wave table and the dropped-touch reasons in plain words.
 */
import type { Timeline } from '../domain/timeline.ts';
import { type TimelineModelOptions, timelinePageModel } from './timeline/model.ts';
import { renderTimelineModel } from './timeline/render.ts';

export { formatDuration } from './timeline/clock.ts';
export { type TimelinePageModel, timelinePageModel } from './timeline/model.ts';

export type TimelinePageOptions = TimelineModelOptions;

export function renderTimelinePage(timeline: Timeline, options: TimelinePageOptions = {}): string {
  return renderTimelineModel(timelinePageModel(timeline, options));
}
