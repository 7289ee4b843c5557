import * as vscode from 'vscode';
import { subscribeToEvents, type DaemonEventMessage } from '../../src/shared/events-client.js';
import { daemonClient, type DaemonClient } from './daemon/client.js';
import { locateDaemon } from './daemon/locate.js';
import { log } from './log.js';
import { workspaceProject, type WorkspaceProject } from './project.js';
import { readSettings } from './settings.js';

/** What changed: the daemon came or went, a request of the project was recorded, settings changed. */
export type Change = 'connected' | 'down' | 'usage' | 'settings';

/** How often a down daemon is looked for again (reading two small files). */
const RETRY_MS = 2000;

/**
 * The extension's link to the daemon: where it is (found again whenever it goes), the
 * workspace's project, and the daemon's live events (/api/events), turned into changes the
 * status bar, the file costs and the completions follow.
 */
export class Connection implements vscode.Disposable {
  client: DaemonClient | undefined;
  downReason = 'not looked for yet';
  project: WorkspaceProject & { problem?: string };
  private readonly changes = new vscode.EventEmitter<Change>();
  readonly onChange = this.changes.event;
  private events: { close: () => void } | undefined;
  private retry: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly folder: string) {
    this.project = workspaceProject(folder);
  }

  /** The project's prefix of the daemon's paths: /p/<name>. */
  get prefix(): string {
    return `/p/${encodeURIComponent(this.project.name)}`;
  }

  /** Looks for the daemon now; when it is down, keeps looking every few seconds. */
  async connect(): Promise<void> {
    if (this.disposed) return;
    clearTimeout(this.retry);
    this.events?.close();
    this.events = undefined;
    this.project = workspaceProject(this.folder);
    const location = locateDaemon(readSettings());
    if (location.kind === 'down') return this.down(location.reason);
    const port = Number(new URL(location.url).port || 80);
    try {
      this.events = await subscribeToEvents(port, location.token, (event) => this.onEvent(event), {
        types: ['request', 'budget', 'settings', 'shutdown'],
        onEnd: (reason) => this.down(reason),
      });
    } catch (error) {
      return this.down(`the daemon at ${location.url} does not answer (${(error as Error).message})`);
    }
    this.client = daemonClient(location.url, location.token);
    log().info(`connected to the daemon at ${location.url} (project ${this.project.name})`);
    this.changes.fire('connected');
  }

  private onEvent(event: DaemonEventMessage): void {
    if (event.type === 'request') {
      if ((event.data as { project?: string }).project === this.project.name) this.changes.fire('usage');
    } else if (event.type === 'shutdown') {
      this.down('the daemon stopped');
    } else {
      this.changes.fire(event.type === 'budget' ? 'usage' : 'settings');
    }
  }

  private down(reason: string): void {
    if (this.disposed) return;
    this.events?.close();
    this.events = undefined;
    const wasUp = this.client !== undefined || this.downReason === 'not looked for yet';
    this.client = undefined;
    this.downReason = reason;
    if (wasUp) {
      log().warn(`the daemon is down: ${reason}`);
      this.changes.fire('down');
    }
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), RETRY_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retry);
    this.events?.close();
    this.changes.dispose();
  }
}
