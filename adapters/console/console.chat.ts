/**
 * The terminal chat: one line in, the core's reply out. `as <user>` switches who is
 * speaking; a number presses a button from the last reply; forms are filled field by field
 * when a person is at the terminal.
 */
import type { Core } from '../../src/core/app.js';
import type { Command } from '../../src/core/command.js';
import type { Button, Form, Reply } from '../../src/core/reply.js';
import { renderText } from './console.renderer.js';

export interface ConsoleIo {
  write(text: string): void;
  /** Asks one question; absent when no person is at the terminal. */
  ask?: (question: string) => Promise<string>;
}

export class ConsoleChat {
  private user: string;
  private buttons: Button[] = [];
  private seq = 0;

  constructor(
    private readonly core: Core,
    private readonly workspaceId: string,
    private readonly io: ConsoleIo,
    firstUser: string,
  ) {
    this.user = firstUser;
  }

  get actingUser(): string {
    return this.user;
  }

  prompt(): string {
    return `${this.user}> `;
  }

  /** Handles one line; resolves when its reply (and any follow-up) has been written. */
  async line(raw: string): Promise<void> {
    const text = raw.trim();
    if (!text || text.startsWith('#')) return;
    const as = /^as\s+@?([A-Za-z0-9_.-]{1,60})$/i.exec(text);
    if (as) {
      this.user = as[1] as string;
      this.io.write(`(now speaking as ${this.user})`);
      return;
    }
    const pause = /^wait\s+(\d{1,3})\s*s?$/i.exec(text);
    if (pause) {
      // Lets a scripted chat watch nudges arrive before input ends.
      const seconds = Math.min(300, Number(pause[1]));
      this.io.write(`(waiting ${seconds} s)`);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      return;
    }
    if (/^as\b/i.test(text)) {
      this.io.write('Usage: as <user>   e.g. as amara');
      return;
    }
    const pressed = /^\d{1,2}$/.test(text) ? this.buttons[Number(text) - 1] : undefined;
    if (/^\d{1,2}$/.test(text) && !pressed) {
      this.io.write(this.buttons.length ? `There is no button ${text}; choose 1 to ${this.buttons.length}.` : 'There are no buttons to press.');
      return;
    }
    const commandText = pressed ? pressed.command : text;
    if (pressed) this.io.write(`(pressed ${pressed.label}: ${commandText})`);
    await this.send({ actor: this.actor(), text: commandText, requestId: `console-${++this.seq}` });
  }

  private actor(): Command['actor'] {
    return { workspaceId: this.workspaceId, platform: 'console', userId: this.user, userName: this.user };
  }

  private async send(cmd: Command): Promise<void> {
    const r = await this.core.handle(cmd);
    await this.show(r, cmd);
  }

  private async show(r: Reply, cmd: Command): Promise<void> {
    this.buttons = [];
    const text = renderText(r, this.buttons);
    if (text) this.io.write(text);
    if (r.form) await this.fill(r.form, cmd);
    if (r.followUp) {
      const next = await r.followUp();
      await this.show(next, cmd);
    }
  }

  private async fill(form: Form, cmd: Command): Promise<void> {
    if (!this.io.ask) {
      this.io.write('(Forms need a person at the terminal; use the one-line form of the command instead — `help` shows it.)');
      return;
    }
    const values: Record<string, string | string[]> = {};
    for (const f of form.fields) {
      const options = f.options?.length ? ` [${f.options.slice(0, 12).map((o) => o.value).join(', ')}${f.options.length > 12 ? ', …' : ''}]` : '';
      const initial = Array.isArray(f.initial) ? f.initial.join(', ') : f.initial;
      const answer = (await this.io.ask(`${f.label}${f.required ? '' : ' (optional)'}${options}${initial ? ` (${initial})` : ''}: `)).trim();
      const value = answer || initial || '';
      values[f.name] = f.type === 'multiselect' ? value.split(/\s*,\s*/).filter(Boolean) : value;
    }
    await this.send({ actor: cmd.actor, text: '', form: { id: form.id, values, ...(form.context ? { context: form.context } : {}) } });
  }
}

