import { formatMoney } from '../../../shared/format.js';
import type { Report } from '../../api.js';
import { Card } from '../../components/Card.js';
import { Empty } from '../../components/Status.js';
import { ShareCell } from '../../components/TableCard.js';
import { formatCount } from '../../format.js';

interface Props {
  title: string;
  testid: string;
  report: Report;
  /** What the "-" key stands for: requests that reached no model, or no task class. */
  none: string;
}

/** This month's requests grouped by task or by model: requests (with a share bar), cost, saved. */
export function Breakdown({ title, testid, report, none }: Props) {
  const most = Math.max(1, ...report.rows.map((row) => row.requests));
  return (
    <Card title={title} testid={testid} class="span-2">
      {report.rows.length === 0 ? (
        <Empty>No requests yet this month.</Empty>
      ) : (
        <table class="table compact">
          <thead>
            <tr>
              <th scope="col">{report.by === 'task' ? 'Task' : 'Model'}</th>
              <th scope="col" class="num">
                Requests
              </th>
              <th scope="col" class="num">
                Cost
              </th>
              <th scope="col" class="num hide-narrow">
                Saved
              </th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((row) => (
              <tr key={row.key}>
                <ShareCell label={row.key === '-' ? none : row.key} share={row.requests / most} />
                <td class="num">{formatCount(row.requests)}</td>
                <td class="num">{formatMoney(row.costUsd)}</td>
                <td class="num hide-narrow good">{formatMoney(row.savedUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
