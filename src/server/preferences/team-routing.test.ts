import { describe, expect, it } from 'vitest';
import { validate } from '../../config/validate.js';
import { ConfigError } from '../../shared/errors.js';
import { IdentityError } from '../identity/identity-error.js';
import { checkTeamRouting, DEFAULT_TEAM_ROUTING, frozen, patchTeamRouting, routingChanges, settingsOf } from './team-routing.js';

/** The IdentityError a check refused with. */
function refusal(work: () => unknown): IdentityError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityError);
    return error as IdentityError;
  }
  throw new Error('expected a refusal');
}

/** What the CLI's own config check says of the same value, to show that the two share their rules and words. */
function configProblem(raw: unknown): string {
  try {
    validate('x', raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.replace(/^invalid config in x: "[^"]*" /, '');
  }
  throw new Error('expected the config check to refuse');
}

describe("a team's routing, checked with the config's rules", () => {
  it('takes every field, with the defaults for the two switches', () => {
    const routing = checkTeamRouting({
      floors: { edit: 75, agent: 60 },
      preferred: ['anthropic/claude-sonnet-5'],
      forbidden: ['openai/*'],
      taskModels: { commit: 'ollama/qwen2.5-coder:3b', complete: 'ollama/qwen2.5-coder:1.5b-base' },
      claude: { main: 'lodestar/auto', background: 'deepseek/deepseek-flash' },
      allowedModels: [' anthropic/claude-sonnet-5 ', 'anthropic/claude-sonnet-5', 'gpt-5-mini'],
    });
    expect(routing).toEqual({
      floors: { edit: 75, agent: 60 },
      preferred: ['anthropic/claude-sonnet-5'],
      forbidden: ['openai/*'],
      taskModels: { commit: 'ollama/qwen2.5-coder:3b', complete: 'ollama/qwen2.5-coder:1.5b-base' },
      claude: { main: 'lodestar/auto', background: 'deepseek/deepseek-flash' },
      allowedModels: ['anthropic/claude-sonnet-5', 'gpt-5-mini'],
      projectOverrides: true,
      freeWhenOverBudget: false,
    });
    expect(checkTeamRouting({})).toEqual(DEFAULT_TEAM_ROUTING);
    expect(checkTeamRouting({ projectOverrides: false, freeWhenOverBudget: true })).toEqual({ projectOverrides: false, freeWhenOverBudget: true });
  });

  it('takes a top-level null as the field left out', () => {
    expect(checkTeamRouting({ preferred: null, allowedModels: null, projectOverrides: null })).toEqual(DEFAULT_TEAM_ROUTING);
  });

  it('refuses an unknown field by its name, with a suggestion', () => {
    const error = refusal(() => checkTeamRouting({ flors: { edit: 70 } }));
    expect(error.code).toBe('invalid');
    expect(error.field).toBe('flors');
    expect(error.message).toBe('routing field "flors" is not a known key (did you mean "floors"?)');
    // The config's own fields that a team can't set are unknown here too.
    expect(refusal(() => checkTeamRouting({ retries: 2 })).field).toBe('retries');
  });

  it('refuses a task that is not a task, in floors and in taskModels, naming it', () => {
    const floor = refusal(() => checkTeamRouting({ floors: { edt: 70 } }));
    expect(floor.field).toBe('floors.edt');
    expect(floor.message).toContain('did you mean "edit"?');
    const model = refusal(() => checkTeamRouting({ taskModels: { deploy: 'openai/gpt-5' } }));
    expect(model.field).toBe('taskModels.deploy');
    expect(model.message).toMatch(/^routing field "taskModels.deploy" is not a known key \(known keys: edit, architect, .*complete\)$/);
    // complete has no quality floor.
    expect(refusal(() => checkTeamRouting({ floors: { complete: 10 } })).field).toBe('floors.complete');
    expect(refusal(() => checkTeamRouting({ claude: { mian: 'lodestar/auto' } })).message).toContain('did you mean "main"?');
  });

  it('checks values and model ids as the config does, in the same words', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ floors: { edit: 120 } }, 'floors.edit'],
      [{ floors: { edit: 'high' } }, 'floors.edit'],
      [{ preferred: ['gpt-4o'] }, 'preferred.0'],
      [{ preferred: 'anthropic/claude-sonnet-5' }, 'preferred'],
      [{ forbidden: ['nobody/*'] }, 'forbidden.0'],
      [{ taskModels: { edit: 'lodestar/auto' } }, 'taskModels.edit'],
      [{ taskModels: { complete: 'openai/gpt-5-mini' } }, 'taskModels.complete'],
      [{ claude: { main: 'sonnet' } }, 'claude.main'],
    ];
    for (const [routing, field] of cases) {
      const error = refusal(() => checkTeamRouting(routing));
      expect(error.field).toBe(field);
      // claude is a top-level key of the config; the others are under its routing.
      const inConfig = field.startsWith('claude.') ? routing : { routing };
      expect(error.message, field).toBe(`routing field "${field}" ${configProblem(inConfig)}`);
    }
    expect(refusal(() => checkTeamRouting({ floors: { edit: 120 } })).message).toBe('routing field "floors.edit" must be at most 100, got 120');
  });

  it('refuses bad switches and allowed models, and a body that is not an object', () => {
    expect(refusal(() => checkTeamRouting({ projectOverrides: 'yes' })).message).toBe('routing field "projectOverrides" must be a boolean, got "yes"');
    expect(refusal(() => checkTeamRouting({ allowedModels: [] })).field).toBe('allowedModels');
    expect(refusal(() => checkTeamRouting({ allowedModels: 'a,b' })).field).toBe('allowedModels');
    expect(refusal(() => checkTeamRouting([])).field).toBe('routing');
    expect(refusal(() => checkTeamRouting('{}')).field).toBe('routing');
  });

  it('treats "__proto__" as the unknown key it is, and pollutes nothing', () => {
    const error = refusal(() => checkTeamRouting(JSON.parse('{"__proto__": {"projectOverrides": false}}')));
    expect(error.field).toBe('__proto__');
    expect(({} as Record<string, unknown>).projectOverrides).toBeUndefined();
    expect(refusal(() => patchTeamRouting(DEFAULT_TEAM_ROUTING, JSON.parse('{"floors": {"__proto__": {"edit": 1}}}'))).field).toBe('floors.__proto__');
  });
});

describe("a change to a team's routing (JSON Merge Patch)", () => {
  const current = frozen(checkTeamRouting({ floors: { edit: 75, commit: 10 }, preferred: ['anthropic/claude-sonnet-5'], allowedModels: ['anthropic/claude-sonnet-5'], projectOverrides: false }));

  it('changes what it names, removes what it sets to null, keeps the rest', () => {
    const next = patchTeamRouting(current, { floors: { edit: 80, commit: null, chat: 5 }, forbidden: ['openai/*'], allowedModels: null });
    expect(next).toEqual({ floors: { edit: 80, chat: 5 }, preferred: ['anthropic/claude-sonnet-5'], forbidden: ['openai/*'], projectOverrides: false, freeWhenOverBudget: false });
    expect(routingChanges(current, next)).toEqual({
      floors: { from: { edit: 75, commit: 10 }, to: { edit: 80, chat: 5 } },
      forbidden: { from: null, to: ['openai/*'] },
      allowedModels: { from: ['anthropic/claude-sonnet-5'], to: null },
    });
    expect(routingChanges(current, patchTeamRouting(current, {}))).toEqual({});
  });

  it('checks the result whole, naming the field', () => {
    expect(refusal(() => patchTeamRouting(current, { floors: { edit: -1 } })).field).toBe('floors.edit');
    expect(refusal(() => patchTeamRouting(current, { preferred: ['gpt-4o'] })).field).toBe('preferred.0');
    expect(refusal(() => patchTeamRouting(current, [])).field).toBe('routing');
  });

  it('stores the config-shaped part only', () => {
    expect(settingsOf(current)).toEqual({ floors: { edit: 75, commit: 10 }, preferred: ['anthropic/claude-sonnet-5'] });
    expect(Object.isFrozen(current.floors)).toBe(true);
  });
});
