import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { BudgetAlert } from '../ledger/budgets.js';
import type { Logger } from '../shared/logger.js';
import { findOnPath } from '../shared/which.js';
import type { EventBus } from './event-bus.js';

/**
 * Tells the user a budget crossed a threshold: the daemon log, /api/events (dashboards,
 * `lodestar aider`), and, if configured, a webhook (JSON POST, best effort, 5 s) and a desktop
 * notification (notify-send). Never on the request's path: delivery failures are only logged.
 */
export function deliverBudgetAlert(
  alert: BudgetAlert,
  options: { logger: Logger; events: EventBus; webhook: string | undefined; desktop: boolean },
): void {
  const { message, ...details } = alert;
  options.logger.warn('budget alert', { ...details, text: message });
  options.events.publish({ type: 'budget', data: alert });
  if (options.webhook) postWebhook(options.webhook, alert, options.logger);
  if (options.desktop) notifyDesktop(alert, options.logger);
}

function postWebhook(url: string, alert: BudgetAlert, logger: Logger): void {
  const body = JSON.stringify({ text: `Lodestar: ${alert.message}`, source: 'lodestar', alert });
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const outgoing = send(target, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 5000 }, (response) => {
    response.resume();
    if ((response.statusCode ?? 0) >= 400) logger.warn('budget webhook refused the alert', { status: response.statusCode, host: target.host });
  });
  outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 5 s')));
  outgoing.on('error', (error) => logger.warn('budget webhook failed', { host: target.host, error: error.message }));
  outgoing.end(body);
}

function notifyDesktop(alert: BudgetAlert, logger: Logger): void {
  const binary = findOnPath('notify-send');
  if (!binary) {
    logger.warn('desktop notifications are on but notify-send is not on PATH');
    return;
  }
  execFile(binary, ['--app-name=Lodestar', `Lodestar budget: ${alert.threshold}%`, alert.message], { timeout: 5000 }, (error) => {
    if (error) logger.warn('notify-send failed', { error: error.message });
  });
}
