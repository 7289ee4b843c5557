import { formatMoney } from '../../../shared/format.js';
import { Badge, ErrorNote, Loading } from '../../components/Status.js';
import { TableCard } from '../../components/TableCard.js';
import { formatCount } from '../../format.js';
import { useResource } from '../../hooks.js';
import { adminApi } from '../admin-api.js';

const COLUMNS = [{ label: 'Team' }, { label: 'Monthly', num: true }, { label: 'Daily', num: true }, { label: 'Mode' }, { label: 'Models' }, { label: 'Members', num: true }, { label: 'Active keys', num: true }];

function Limit({ usd }: { usd: number | undefined }) {
  return usd === undefined ? <span class="muted">none</span> : <>{formatMoney(usd)}</>;
}

/** Every team: its budgets, the models it may use, its members and their active keys. */
export function Teams() {
  const teams = useResource(adminApi.teams, []);
  const list = teams.data?.teams;
  return (
    <>
      <div class="page-head">
        <h1>Teams</h1>
        <p class="muted">
          Budgets and allowed models per team. Add one with <code>lodestar admin team add NAME</code>.
        </p>
      </div>
      {teams.error && <ErrorNote error={teams.error} retry={teams.reload} />}
      {!list && !teams.error && <Loading what="Loading teams" />}
      {list && (
        <TableCard title="Teams" testid="teams" columns={COLUMNS} count={list.length} empty="No teams yet.">
          {list.map((team) => (
            <tr key={team.id} data-testid="team-row" data-name={team.name}>
              <td data-label="Team">
                <strong>{team.name}</strong>
              </td>
              <td data-label="Monthly" class="num">
                <Limit usd={team.monthlyBudgetUsd} />
              </td>
              <td data-label="Daily" class="num">
                <Limit usd={team.dailyBudgetUsd} />
              </td>
              <td data-label="Mode">
                <Badge tone={team.budgetMode === 'hard' ? 'warn' : 'muted'}>{team.budgetMode}</Badge>
              </td>
              <td data-label="Models" class="wide">
                {team.allowedModels ? (
                  <span class="chip-list">
                    {team.allowedModels.map((model) => (
                      <span key={model} class="tag">
                        {model}
                      </span>
                    ))}
                  </span>
                ) : (
                  <span class="muted">every model</span>
                )}
              </td>
              <td data-label="Members" class="num">
                {formatCount(team.members)}
              </td>
              <td data-label="Active keys" class="num">
                {formatCount(team.activeKeys)}
              </td>
            </tr>
          ))}
        </TableCard>
      )}
    </>
  );
}
