import { useState } from 'preact/hooks';
import { TASKS, type Settings, type Task } from '../../api.js';
import { FieldError } from '../../components/FieldError.js';
import { parseList, sameList } from '../../format.js';
import { Section, useSaver } from './Section.js';

const PATHS = TASKS.map((task) => `routing.floors.${task}`);
const LISTS = ['routing.preferred', 'routing.forbidden'];

/** The quality floors per task, and the models the router prefers or never uses. */
export function RoutingSection({ settings, onSaved }: { settings: Settings; onSaved: (settings: Settings) => void }) {
  const [floors, setFloors] = useState<Record<string, string>>(() => Object.fromEntries(TASKS.map((task) => [task, String(settings.routing.floors[task] ?? '')])));
  const [preferred, setPreferred] = useState(settings.routing.preferred.join(', '));
  const [forbidden, setForbidden] = useState(settings.routing.forbidden.join(', '));
  const saver = useSaver(onSaved);

  // Only what changed; an emptied floor is removed from config.json (the default applies).
  const submit = () => {
    const routing: Record<string, unknown> = {};
    const floorPatch: Partial<Record<Task, number | null>> = {};
    for (const task of TASKS) {
      const text = floors[task]?.trim() ?? '';
      if (text !== String(settings.routing.floors[task] ?? '')) floorPatch[task] = text === '' ? null : Number(text);
    }
    if (Object.keys(floorPatch).length) routing.floors = floorPatch;
    if (!sameList(parseList(preferred), settings.routing.preferred)) routing.preferred = parseList(preferred);
    if (!sameList(parseList(forbidden), settings.routing.forbidden)) routing.forbidden = parseList(forbidden);
    void saver.save(Object.keys(routing).length ? { routing } : {});
  };

  return (
    <Section
      title="Routing"
      description="A task's quality floor is the lowest score (% on Aider's polyglot benchmark) a model needs for lodestar/auto to send that task to it."
      saver={saver}
      paths={PATHS}
      nested={LISTS}
      saveTestid="save-routing"
      onSubmit={submit}
    >
      <fieldset>
        <legend>Quality floors (%)</legend>
        <div class="floor-grid">
          {TASKS.map((task) => (
            <label key={task} class="field" for={`floor-${task}`}>
              <span>{task}</span>
              <input id={`floor-${task}`} data-testid={`floor-${task}`} type="number" min="0" max="100" step="any" value={floors[task]} onInput={(event) => setFloors({ ...floors, [task]: event.currentTarget.value })} />
              <FieldError path={`routing.floors.${task}`} error={saver.error} />
            </label>
          ))}
        </div>
      </fieldset>
      <label class="field" for="routing-preferred">
        <span>Preferred models (comma-separated ids)</span>
        <input id="routing-preferred" data-testid="routing-preferred" type="text" spellcheck={false} placeholder="none" value={preferred} onInput={(event) => setPreferred(event.currentTarget.value)} />
        <FieldError path="routing.preferred" error={saver.error} nested />
      </label>
      <label class="field" for="routing-forbidden">
        <span>Forbidden models (comma-separated ids)</span>
        <input id="routing-forbidden" data-testid="routing-forbidden" type="text" spellcheck={false} placeholder="none" value={forbidden} onInput={(event) => setForbidden(event.currentTarget.value)} />
        <FieldError path="routing.forbidden" error={saver.error} nested />
      </label>
    </Section>
  );
}
