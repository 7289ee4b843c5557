import { formatMoney } from '../../../shared/format.js';
import { Badge, ErrorNote, Loading } from '../../components/Status.js';
import { TableCard } from '../../components/TableCard.js';
import { formatCount, relativeTime } from '../../format.js';
import { useResource } from '../../hooks.js';
import { adminApi, type UserListingView } from '../admin-api.js';

const COLUMNS = [{ label: 'User' }, { label: 'Team' }, { label: 'Budgets' }, { label: 'Per minute' }, { label: 'Keys' }];

function KeyLine({ item }: { item: UserListingView['keys'][number] }) {
  return (
    <li class="key-line" data-testid="user-key" data-key-id={item.id}>
      <code>{item.prefix}…</code>
      {item.revokedAt ? (
        <Badge tone="bad" title={`revoked ${item.revokedAt}`}>
          revoked
        </Badge>
      ) : (
        <Badge tone="good">active</Badge>
      )}
      <span class="muted small">{item.lastUsedAt ? `used ${relativeTime(item.lastUsedAt)}` : `made ${relativeTime(item.createdAt)}`}</span>
    </li>
  );
}

/** "$10.00 a month · 120 requests": the limits that are set, or `none`. */
function limits(parts: Array<string | false>, none: string): string {
  const set = parts.filter((part): part is string => part !== false);
  return set.length ? set.join(' · ') : none;
}

/** Every user, their team, limits and keys (only each key's prefix: the server keeps no key). */
export function Users({ timeZone }: { timeZone: string }) {
  const users = useResource(adminApi.users, []);
  const list = users.data?.users;
  const activeKeys = list?.reduce((sum, item) => sum + item.keys.filter((key) => !key.revokedAt).length, 0) ?? 0;
  return (
    <>
      <div class="page-head">
        <h1>Users &amp; keys</h1>
        <p class="muted">
          {list ? `${formatCount(list.length)} users, ${formatCount(activeKeys)} active keys.` : 'Everyone with a key.'} Add users and revoke keys with <code>lodestar admin</code>.
        </p>
      </div>
      {users.error && <ErrorNote error={users.error} retry={users.reload} />}
      {!list && !users.error && <Loading what="Loading users" />}
      {list && (
        <TableCard
          title="Users"
          testid="users"
          columns={COLUMNS}
          count={list.length}
          empty={
            <>
              No users yet. Add one with <code>lodestar admin user add EMAIL --team TEAM</code>.
            </>
          }
        >
          {list.map(({ user, team, keys }) => (
            <tr key={user.id} data-testid="user-row" data-email={user.email}>
              <td data-label="User" class="wide">
                <strong>{user.email}</strong>
                <span class="sub" title={new Date(user.createdAt).toLocaleString('en-GB', { timeZone })}>
                  added {relativeTime(user.createdAt)}
                </span>
              </td>
              <td data-label="Team">{team.name}</td>
              <td data-label="Budgets">
                {limits([user.monthlyBudgetUsd !== undefined && `${formatMoney(user.monthlyBudgetUsd)} a month`, user.dailyBudgetUsd !== undefined && `${formatMoney(user.dailyBudgetUsd)} a day`], 'none')}
                {(user.monthlyBudgetUsd !== undefined || user.dailyBudgetUsd !== undefined) && <span class="sub">{user.budgetMode ?? `${team.budgetMode} (the team's)`}</span>}
              </td>
              <td data-label="Per minute">{limits([user.rpm !== undefined && `${formatCount(user.rpm)} requests`, user.tpm !== undefined && `${formatCount(user.tpm)} tokens`], 'no limit')}</td>
              <td data-label="Keys" class="wide">
                <ul class="key-list">
                  {keys.map((item) => (
                    <KeyLine key={item.id} item={item} />
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </TableCard>
      )}
    </>
  );
}
