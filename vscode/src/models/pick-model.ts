import * as vscode from 'vscode';
import type { ChoicePreview, ModelRow, TaskChoice } from '../../../src/shared/model-facts.js';
import type { Connection } from '../connection.js';
import { choiceMessage, modelPickItems, type ModelPickItem } from './pick-items.js';

type Item = vscode.QuickPickItem & { model?: string | null; task?: string };

const OTHER_TASK = '$(list-unordered) Another task…';

/**
 * The model switcher: the models for the edit task (or, through "Another task…", any task) as
 * the selector shows them; choosing one saves the project's routing.taskModels through the
 * daemon (its .lodestarrc) and says what a typical session will cost against the baseline.
 */
export async function pickModel(connection: Connection, task = 'edit'): Promise<void> {
  const client = connection.client;
  if (!client) {
    void vscode.window.showErrorMessage(`Lodestar: ${connection.downReason}.`, 'Start the daemon').then((answer) => answer && vscode.commands.executeCommand('lodestar.startDaemon'));
    return;
  }
  const project = connection.project.name;
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = `Lodestar: the model for ${task} (project ${project})`;
  pick.placeholder = 'Type to filter; Enter saves the choice for this project';
  pick.matchOnDescription = true;
  pick.busy = true;
  pick.show();
  let data: { tasks: TaskChoice[]; models: ModelRow[] };
  try {
    data = await client.call(`/api/ui/models?${new URLSearchParams({ project })}`);
  } catch (error) {
    pick.dispose();
    void vscode.window.showErrorMessage(`Lodestar: ${(error as Error).message}`);
    return;
  }
  const choice = data.tasks.find((each) => each.task === task);
  if (!choice) {
    pick.dispose();
    void vscode.window.showErrorMessage(`Lodestar: the daemon knows no task ${JSON.stringify(task)}.`);
    return;
  }
  const items: Item[] = [...modelPickItems(data.models, choice).map(toItem), { label: '', kind: vscode.QuickPickItemKind.Separator }, { label: OTHER_TASK }];
  pick.items = items;
  pick.activeItems = items.filter((item) => item.model !== undefined && item.model === choice.chosen).slice(0, 1);
  pick.busy = false;
  const selected = await new Promise<Item | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]));
    pick.onDidHide(() => resolve(undefined));
  });
  pick.dispose();
  if (!selected) return;
  if (selected.label === OTHER_TASK) {
    const next = await vscode.window.showQuickPick(
      data.tasks.map((each) => ({ label: each.task, description: `now ${each.chosen ?? `${each.routerChoice ?? 'no model'} (router)`} · floor ${each.floor}%`, task: each.task })),
      { title: `Lodestar: which task's model (project ${project})` },
    );
    if (next) await pickModel(connection, next.task);
    return;
  }
  if (selected.model === undefined) return;
  await save(connection, task, selected.model);
}

async function save(connection: Connection, task: string, model: string | null): Promise<void> {
  const client = connection.client;
  if (!client) return;
  const project = connection.project.name;
  try {
    const preview = await client.call<ChoicePreview>('/api/ui/models/preview', { method: 'POST', body: { task, model, project } });
    await client.call('/api/ui/models/choice', { method: 'PUT', body: { task, model, project } });
    void vscode.window.showInformationMessage(choiceMessage(preview, project));
  } catch (error) {
    void vscode.window.showErrorMessage(`Lodestar: the choice was not saved: ${(error as Error).message}`);
  }
}

function toItem(item: ModelPickItem): Item {
  return { label: item.label, description: item.description, detail: item.detail, model: item.model };
}
