/** The console's screen: header, the focused view, status and hint lines, sized to the terminal. */
import { Box } from 'ink';
import { useEffect } from 'react';
import { useConsole, useConsoleState, useTerminalSize } from '../context.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpView } from './HelpView.js';
import { JobDetail } from './JobDetail.js';
import { JobsTable } from './JobsTable.js';
import { LogsView } from './LogsView.js';
import { MAX_QUEUE_ROWS, QueuesTable } from './QueuesTable.js';
import { WorkersView } from './WorkersView.js';
import { QueueView } from './QueueView.js';
import { SchedulesView } from './SchedulesView.js';

/**
 * Lines left for the jobs pane's rows at `rows` terminal lines with `queues` queue rows shown; below 1
 * when not even one fits.
 */
function jobLinesLeft(rows: number, queues: number, bannerShown: boolean, shardLine: boolean, alertsShown: boolean): number {
  const header = 1 + (bannerShown ? 1 : 0) + (alertsShown ? 1 : 0);
  const footer = 2;
  const queuesPane = 1 + Math.max(1, Math.min(queues, MAX_QUEUE_ROWS)) + (shardLine ? 1 : 0);
  const jobsChrome = 2; // tab strip and column titles
  // One line stays free: a frame as tall as the terminal makes Ink clear the screen on every change,
  // and scrolls the header off the top.
  return rows - header - footer - queuesPane - jobsChrome - 1;
}

/** Lines the jobs pane's rows get (at least one) at `rows` terminal lines with `queues` queue rows shown. */
export function jobRowsFor(rows: number, queues: number, bannerShown: boolean, shardLine = false, alertsShown = false): number {
  return Math.max(1, jobLinesLeft(rows, queues, bannerShown, shardLine, alertsShown));
}

/** The whole console. */
export function App() {
  const { store } = useConsole();
  const { columns, rows } = useTerminalSize();
  const { view, queues, lost, sharded, alerting } = useConsoleState((s) => ({
    view: s.view, queues: s.queues.length, lost: s.header.connection !== 'connected', sharded: s.queues[s.selectedQueue]?.shards !== undefined,
    alerting: s.header.alerts.length > 0,
  }));
  const linesLeft = jobLinesLeft(rows, queues, lost, sharded, alerting);
  const jobRows = Math.max(1, linesLeft);
  const cramped = linesLeft < 1;
  useEffect(() => store.getState().setPageSize(jobRows), [store, jobRows]);
  const bodyRows = Math.max(0, rows - 1 - (lost ? 1 : 0) - (alerting ? 1 : 0) - 2 - 1);
  let body;
  switch (view) {
    case 'detail': body = <JobDetail columns={columns} rows={bodyRows} />; break;
    case 'workers': body = <WorkersView columns={columns} rows={bodyRows} />; break;
    case 'schedules': body = <SchedulesView columns={columns} rows={bodyRows} />; break;
    case 'logs': body = <LogsView columns={columns} rows={bodyRows} />; break;
    case 'help': body = <HelpView columns={columns} rows={bodyRows} />; break;
    case 'queue': body = <QueueView columns={columns} rows={bodyRows} />; break;
    default:
      // On a terminal too short for even one job row the panes are cut at the bottom, so the header
      // and footer stay on screen.
      body = (
        <Box flexDirection="column" overflow="hidden" {...(cramped ? { height: bodyRows } : {})}>
          <Box flexDirection="column" flexShrink={0}>
            <QueuesTable columns={columns} />
            <JobsTable columns={columns} rows={jobRows} />
          </Box>
        </Box>
      );
  }
  return (
    <Box flexDirection="column" width={columns}>
      <Header columns={columns} />
      {body}
      <Footer columns={columns} />
    </Box>
  );
}
