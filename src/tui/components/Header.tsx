/** The top line: Redis address and connection, this host's pool, jobs in/out per second. */
import { Box, Text } from 'ink';
import { rate, sparkline } from '../format.js';
import { useColor, useConsoleState } from '../context.js';
import { oneLine } from '../../shared/sanitize.js';

/** The header line (and the Redis-lost banner under it when the connection is down). */
export function Header({ columns }: { columns: number }) {
  const { header, readOnly } = useConsoleState((s) => ({ header: s.header, readOnly: s.readOnly }));
  const color = useColor();
  const lost = header.connection !== 'connected';
  const firing = (header.alerts ?? []).join(', ');
  const spark = columns >= 100 ? 16 : 8;
  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate-end">
        <Text bold color={color('cyan')}>flexq </Text>
        {/* First on the line, so a narrow terminal cuts anything but a firing alert. */}
        {firing ? <Text inverse bold color={color('red')}>{` ALERT ${oneLine(firing)} `}</Text> : null}
        {firing ? <Text> </Text> : null}
        <Text>{header.address}{header.topology === undefined ? '' : ` (${header.topology})`} </Text>
        <Text color={color(lost ? 'red' : 'green')}>{lost ? '○ reconnecting' : '● connected'}</Text>
        {/* A console that runs no workers (read-only, `flexq console`) says so rather than show an empty pool. */}
        <Text>{header.concurrency === 0 ? (readOnly ? '  no workers (read-only)' : '  no workers here') : `  pool ${header.busy}/${header.concurrency}`}</Text>
        <Text>  in {rate(header.inRate)} </Text>
        <Text color={color('blue')}>{sparkline(header.inHistory.slice(-spark))}</Text>
        <Text>  out {rate(header.outRate)} </Text>
        <Text color={color('green')}>{sparkline(header.outHistory.slice(-spark))}</Text>
      </Text>
      {lost ? (
        <Text inverse bold color={color('red')} wrap="truncate-end">
          {` Redis connection lost (${header.address}): showing the last known state, reconnecting… `}
        </Text>
      ) : null}
    </Box>
  );
}
