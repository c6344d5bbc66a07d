import { z } from 'zod';
import { RapportError, toJsonPath } from '../errors/rapport-error.js';
import { CHANNEL_SPEC_VERSION, type ChannelPlugin } from '../plugins/channel.js';
import { SCORING_SPEC_VERSION, type ScoringPlugin } from '../plugins/scoring.js';
import { STORAGE_SPEC_VERSION, type StoragePlugin } from '../plugins/storage.js';
import { RULES_SPEC_VERSION, type RuleExtension } from '../rules/extension.js';
import { scoreLevelsSchema } from '../scoring/levels.js';

interface Problem {
  path: Array<string | number>;
  message: string;
}

function checkBase(
  plugin: { id?: unknown; version?: unknown; specVersion?: unknown } | undefined,
  expected: string,
  path: Array<string | number>,
  problems: Problem[],
): void {
  if (!plugin || typeof plugin !== 'object') {
    problems.push({
      path,
      message: 'is not a plugin object (call the plugin factory, e.g. `sqliteStorage()`)',
    });
    return;
  }
  if (typeof plugin.id !== 'string' || plugin.id.length === 0)
    problems.push({ path: [...path, 'id'], message: 'has no id' });
  if (typeof plugin.version !== 'string')
    problems.push({ path: [...path, 'version'], message: 'has no version' });
  if (plugin.specVersion !== expected) {
    problems.push({
      path: [...path, 'specVersion'],
      message: `speaks ${String(plugin.specVersion)}, this core speaks ${expected}`,
    });
  }
}

/**
 * Checks every plugin's contract version and required hooks before start-up and reports every
 * problem in one error, so a misconfigured app fails at start, not at 2 a.m.
 */
export function assertPlugins(
  storage: StoragePlugin,
  scoring: readonly ScoringPlugin[],
  channels: readonly ChannelPlugin[],
  extensions: readonly RuleExtension[] = [],
): void {
  const problems: Problem[] = [];
  checkBase(storage, STORAGE_SPEC_VERSION, ['storage'], problems);
  scoring.forEach((plugin, i) => {
    checkBase(plugin, SCORING_SPEC_VERSION, ['scoring', i], problems);
    const caps = plugin?.capabilities;
    if (caps?.annotate && typeof plugin.annotate !== 'function') {
      problems.push({ path: ['scoring', i, 'annotate'], message: 'declares annotate but has no annotate()' });
    }
    if (caps?.incremental && typeof plugin.update !== 'function') {
      problems.push({ path: ['scoring', i, 'update'], message: 'declares incremental but has no update()' });
    }
    if (caps?.recompute && typeof plugin.recompute !== 'function') {
      problems.push({
        path: ['scoring', i, 'recompute'],
        message: 'declares recompute but has no recompute()',
      });
    }
    checkScoringModels(plugin, ['scoring', i], problems);
  });
  for (const [i, plugin] of channels.entries())
    checkBase(plugin, CHANNEL_SPEC_VERSION, ['channels', i], problems);
  for (const [i, plugin] of extensions.entries())
    checkBase(plugin, RULES_SPEC_VERSION, ['rules', 'extensions', i], problems);
  const ids = new Set<string>();
  [
    ...scoring.map((p, i) => ({ p, path: ['scoring', i] })),
    ...channels.map((p, i) => ({ p, path: ['channels', i] })),
    ...extensions.map((p, i) => ({ p, path: ['rules', 'extensions', i] })),
  ].forEach(({ p, path }) => {
    if (!p || typeof p.id !== 'string') return;
    if (ids.has(p.id)) problems.push({ path: [...path, 'id'], message: `repeats the plugin id "${p.id}"` });
    ids.add(p.id);
  });
  if (problems.length === 0) return;
  const specProblem = problems.find((p) => p.path[p.path.length - 1] === 'specVersion');
  const issues = problems.map((p) => ({
    path: p.path,
    jsonPath: toJsonPath(p.path),
    message: p.message,
    hint: 'fix the plugin at this path',
  }));
  throw new RapportError(
    specProblem ? 'RAPPORT_UNSUPPORTED_SPEC_VERSION' : 'RAPPORT_INVALID_OPTIONS',
    `Rapport cannot start: ${issues.map((i) => `${i.jsonPath} ${i.message}`).join('; ')}`,
    { path: problems[0]!.path, issues },
  );
}

/** Every score records its model, so a scorer must declare id and version; its levels must be valid. */
function checkScoringModels(plugin: ScoringPlugin, path: (string | number)[], problems: Problem[]): void {
  if (!Array.isArray(plugin?.models)) {
    problems.push({ path: [...path, 'models'], message: 'declares no models (id, version, params)' });
  } else {
    plugin.models.forEach((model, j) => {
      if (typeof model?.id !== 'string' || typeof model?.version !== 'string')
        problems.push({ path: [...path, 'models', j], message: 'a model needs a string id and version' });
    });
  }
  if (plugin?.levels === undefined) return;
  const levels = z.array(scoreLevelsSchema).safeParse(plugin.levels);
  if (!levels.success) {
    for (const issue of levels.error.issues)
      problems.push({
        path: [...path, 'levels', ...issue.path.map((p) => p as string | number)],
        message: issue.message,
      });
  }
}
