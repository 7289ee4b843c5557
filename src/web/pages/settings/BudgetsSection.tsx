import { useState } from 'preact/hooks';
import type { Settings } from '../../api.js';
import { BudgetFields, budgetDraft, budgetValue, sameBudget } from '../../components/BudgetFields.js';
import { Section, useSaver } from './Section.js';

const PATHS = ['budgets.monthly.limitUsd', 'budgets.monthly.mode', 'budgets.daily.limitUsd', 'budgets.daily.mode'];

/** The global monthly and daily budgets; an empty limit removes the budget. */
export function BudgetsSection({ settings, onSaved }: { settings: Settings; onSaved: (settings: Settings) => void }) {
  const [monthly, setMonthly] = useState(budgetDraft(settings.budgets.monthly));
  const [daily, setDaily] = useState(budgetDraft(settings.budgets.daily));
  const saver = useSaver(onSaved);
  return (
    <Section
      title="Budgets"
      description="Spend limits for all projects together. Hard: paid models are skipped once reached (local ones still answer). Soft: alerts at 50, 80 and 100 %."
      saver={saver}
      paths={PATHS}
      saveTestid="save-budgets"
      onSubmit={() => {
        const budgets: Record<string, unknown> = {};
        if (!sameBudget(budgetValue(monthly), settings.budgets.monthly)) budgets.monthly = budgetValue(monthly);
        if (!sameBudget(budgetValue(daily), settings.budgets.daily)) budgets.daily = budgetValue(daily);
        void saver.save(Object.keys(budgets).length ? { budgets } : {});
      }}
    >
      <BudgetFields period="monthly" path="budgets" testid="budget" draft={monthly} onChange={setMonthly} error={saver.error} />
      <BudgetFields period="daily" path="budgets" testid="budget" draft={daily} onChange={setDaily} error={saver.error} />
    </Section>
  );
}
