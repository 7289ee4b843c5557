import { formatMoney, formatTokens } from '../../../shared/format.js';
import type { ExperimentView } from '../../api.js';
import { Card } from '../../components/Card.js';

const percent = (value: number | undefined): string => (value === undefined ? '–' : `${Math.round(value * 100)}%`);

/** The A/B experiments (`lodestar ab`): each arm's figures, and the verdict in words. */
export function ExperimentsCard({ experiments }: { experiments: ExperimentView[] }) {
  return (
    <Card title="A/B experiments" testid="experiments" class="span-full">
      {experiments.map((experiment) => (
        <section key={experiment.id} class="experiment" data-testid={`experiment-${experiment.id}`}>
          <p>
            <strong>{experiment.task}</strong>
            {experiment.project ? ` in ${experiment.project}` : ''} · {experiment.split}% of sessions to A · {experiment.stoppedAt ? 'stopped' : 'running'}
          </p>
          <div class="table-wrap">
            <table class="table compact">
              <thead>
                <tr>
                  <th>Arm</th>
                  <th class="num">Sessions</th>
                  <th class="num">Requests</th>
                  <th class="num">Cost</th>
                  <th class="num">Tokens in/out</th>
                  <th class="num">Edits applied</th>
                  <th class="num">Good/bad</th>
                </tr>
              </thead>
              <tbody>
                {experiment.arms.map((arm) => (
                  <tr key={arm.arm}>
                    <td>
                      {arm.arm.toUpperCase()} <span class="mono">{arm.model}</span>
                    </td>
                    <td class="num">{arm.sessions}</td>
                    <td class="num">{arm.requests}</td>
                    <td class="num">{formatMoney(arm.costUsd)}</td>
                    <td class="num">
                      {formatTokens(arm.inputTokens)}/{formatTokens(arm.outputTokens)}
                    </td>
                    <td class="num">
                      {percent(arm.applyRate)} of {arm.edits}
                      {arm.applyInterval ? ` (${percent(arm.applyInterval[0])}–${percent(arm.applyInterval[1])})` : ''}
                    </td>
                    <td class="num">
                      {arm.ratings.good}/{arm.ratings.bad}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class={experiment.enoughData ? '' : 'muted'} data-testid="experiment-verdict">
            {experiment.verdict}
          </p>
        </section>
      ))}
    </Card>
  );
}
