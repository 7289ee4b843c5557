import * as v from 'valibot';
import type { ClaudeClass, TaskName } from '../../config/defaults.js';
import { claudeSchema, floorsSchema, forbiddenSchema, preferredSchema, taskModelsSchema } from '../../config/schema.js';
import { checkShape } from '../../config/validate.js';
import { applyMergePatch } from '../../shared/merge-patch.js';
import { IdentityError } from '../identity/identity-error.js';
import { models as allowedModelList } from '../identity/validate-identity.js';

/**
 * A team's shared routing, set by an admin and applied to every member's requests: the same
 * preferences a developer's config holds (floors, preferred, forbidden, task models, Claude
 * Code's classes), plus what only a team decides. Absent means "the team says nothing": the
 * server's own config applies.
 */
export interface TeamRouting {
  /** Minimum quality per task for lodestar/auto, as config's routing.floors (no floor for `complete`). */
  floors?: Partial<Record<Exclude<TaskName, 'complete'>, number>>;
  /** Concrete models ("<provider>/<model>") ranked first, as routing.preferred. */
  preferred?: string[];
  /** "<provider>/<model>" or "<provider>/*", never used, as routing.forbidden. */
  forbidden?: string[];
  /** The model each task goes to first, as routing.taskModels. */
  taskModels?: Partial<Record<TaskName, string>>;
  /** Where Claude Code's kinds of request go, as config's `claude`. */
  claude?: Partial<Record<ClaudeClass, string>>;
  /** The models the team may use at all; undefined: every model. Kept in teams.allowed_models (set at `team add --models`). */
  allowedModels?: string[];
  /** Whether a member's project settings (.lodestarrc, sent by their client) may apply under the team's. */
  projectOverrides: boolean;
  /** Over budget: a free model serves the request instead of a 402. */
  freeWhenOverBudget: boolean;
}

/** What team_routing.settings holds: the part shaped as the config's. */
export type TeamRoutingSettings = Pick<TeamRouting, 'floors' | 'preferred' | 'forbidden' | 'taskModels' | 'claude'>;

export const SETTINGS_FIELDS = ['floors', 'preferred', 'forbidden', 'taskModels', 'claude'] as const;
export const TEAM_ROUTING_FIELDS = [...SETTINGS_FIELDS, 'allowedModels', 'projectOverrides', 'freeWhenOverBudget'] as const;

/** A team that set nothing: the server's config alone, projects' settings allowed under it, no free model over budget. */
export const DEFAULT_TEAM_ROUTING: Readonly<TeamRouting> = Object.freeze({ projectOverrides: true, freeWhenOverBudget: false });

// The config's own rules for the fields the config has; allowedModels follows `team add --models`.
const teamRoutingSchema = v.strictObject({
  floors: v.optional(floorsSchema),
  preferred: v.optional(preferredSchema),
  forbidden: v.optional(forbiddenSchema),
  taskModels: v.optional(taskModelsSchema),
  claude: v.optional(claudeSchema),
  allowedModels: v.optional(v.unknown()),
  projectOverrides: v.optional(v.boolean()),
  freeWhenOverBudget: v.optional(v.boolean()),
});

/**
 * A whole routing document, as an admin sends it (PUT): checked field by field with the
 * config's rules, so a mistake is refused with the field's dotted name ("floors.edit", "flors")
 * before anything is written. A top-level null is the same as leaving the field out.
 */
export function checkTeamRouting(raw: unknown): TeamRouting {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new IdentityError('invalid', 'routing', 'a team\'s routing must be a JSON object ({ ... })');
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null && value !== undefined));
  const checked = checkShape(teamRoutingSchema, present);
  if (!checked.ok) {
    const field = checked.key ?? 'routing';
    throw new IdentityError('invalid', field, `routing field "${field}" ${checked.problem}`);
  }
  const { allowedModels, projectOverrides, freeWhenOverBudget, ...settings } = checked.output;
  const allowed = allowedModelList(allowedModels, 'allowedModels');
  return {
    ...settings,
    ...(allowed ? { allowedModels: allowed } : {}),
    projectOverrides: projectOverrides ?? DEFAULT_TEAM_ROUTING.projectOverrides,
    freeWhenOverBudget: freeWhenOverBudget ?? DEFAULT_TEAM_ROUTING.freeWhenOverBudget,
  };
}

/**
 * The routing after a JSON Merge Patch (PATCH, `team set --floor edit=80`): only the fields the
 * patch names change, null removes one (floors.edit: null drops that floor; allowedModels: null
 * opens every model). The result is checked whole, as a PUT is.
 */
export function patchTeamRouting(current: TeamRouting, patch: unknown): TeamRouting {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new IdentityError('invalid', 'routing', 'a change to a team\'s routing must be a JSON object ({ ... })');
  return checkTeamRouting(applyMergePatch(current, patch));
}

/** The config-shaped part, as team_routing.settings stores it. */
export function settingsOf(routing: TeamRouting): TeamRoutingSettings {
  const settings: Record<string, unknown> = {};
  for (const field of SETTINGS_FIELDS) if (routing[field] !== undefined) settings[field] = routing[field];
  return settings as TeamRoutingSettings;
}

/** The fields whose values differ, each with what it was and what it is now: for the admin log. */
export function routingChanges(before: TeamRouting, after: TeamRouting): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of TEAM_ROUTING_FIELDS) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) changes[field] = { from: before[field] ?? null, to: after[field] ?? null };
  }
  return changes;
}

/** Frozen all the way down: one object is handed to every request of the team, and none may change it for the others. */
export function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const entry of Object.values(value)) frozen(entry);
    Object.freeze(value);
  }
  return value;
}
