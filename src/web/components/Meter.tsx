interface Props {
  /** 0-100; more is drawn full. */
  percent: number;
  label: string;
  /** limit: warn from 80 %, over at 100 %; good: a share that is better larger; plain: neutral. */
  tone?: 'limit' | 'good' | 'plain';
}

/** A horizontal bar, e.g. spend against a budget or VRAM used. */
export function Meter({ percent, label, tone = 'limit' }: Props) {
  const level = tone !== 'limit' ? ` ${tone}` : percent >= 100 ? ' over' : percent >= 80 ? ' warn' : '';
  const clamped = Math.max(0, Math.min(100, percent));
  return (
    <div class={`meter${level}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(clamped)}>
      <div class="meter-fill" style={{ width: `${clamped}%` }} />
    </div>
  );
}
