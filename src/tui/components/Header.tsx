/** The top line: Redis address and connection, this host's pool, jobs in/out per second. */
import { Box, Text } from 'ink';
import { rate, sparkline } from '../format.js';
import { oneLine } from '../../shared/sanitize.js';
import { useColor, useConsoleState } from '../context.js';

/** The header line, the alerts firing now under it, and the Redis-lost banner when the connection is down. */
export function Header({ columns }: { columns: number }) {
  const { header, readOnly } = useConsoleState((s) => ({ header: s.header, readOnly: s.readOnly }));
  const color = useColor();
  const lost = header.connection !== 'connected';
  const spark = columns >= 100 ? 16 : 8;
  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate-end">
        <Text bold color={color('cyan')}>flexq </Text>
        <Text>{header.address}{header.topology === undefined ? '' : ` (${header.topology})`} </Text>
        <Text color={color(lost ? 'red' : 'green')}>{lost ? '○ reconnecting' : '● connected'}</Text>
        {/* A console that runs no workers (read-only, `flexq console`) says so rather than show an empty pool. */}
        <Text>{header.concurrency === 0 ? (readOnly ? '  no workers (read-only)' : '  no workers here') : `  pool ${header.busy}/${header.concurrency}`}</Text>
        <Text>  in {rate(header.inRate)} </Text>
        <Text color={color('blue')}>{sparkline(header.inHistory.slice(-spark))}</Text>
        <Text>  out {rate(header.outRate)} </Text>
        <Text color={color('green')}>{sparkline(header.outHistory.slice(-spark))}</Text>
      </Text>
      {header.alerts.length > 0 ? (
        <Text bold color={color('red')} wrap="truncate-end">
          {`▲ ${header.alerts.length === 1 ? 'alert' : `${header.alerts.length} alerts`}: `}
          {header.alerts.map((alert) => oneLine(`${alert.rule} on ${alert.queue}: ${alert.detail}`)).join(' · ')}
        </Text>
      ) : null}
      {lost ? (
        <Text inverse bold color={color('red')} wrap="truncate-end">
          {` Redis connection lost (${header.address}): showing the last known state, reconnecting… `}
        </Text>
      ) : null}
    </Box>
  );
}
