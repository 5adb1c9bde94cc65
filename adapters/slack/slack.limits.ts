/**
 * What Slack accepts: the Block Kit shapes the renderer produces, Slack's documented
 * limits for them, and a checker that lists every way a payload breaks those limits.
 * The shapes are our own plain JSON types so the renderer needs no Slack SDK.
 */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
}
export type TextObject = PlainText | MrkdwnText;

export interface SlackOption {
  text: PlainText;
  value: string;
}

export interface SlackButton {
  type: 'button';
  text: PlainText;
  action_id: string;
  value: string;
  style?: 'primary' | 'danger';
}

export type SlackInputElement =
  | { type: 'plain_text_input'; action_id: string; multiline?: boolean; initial_value?: string; placeholder?: PlainText; max_length?: number }
  | { type: 'number_input'; action_id: string; is_decimal_allowed: boolean; initial_value?: string; placeholder?: PlainText }
  | { type: 'datepicker'; action_id: string; initial_date?: string; placeholder?: PlainText }
  | { type: 'static_select'; action_id: string; options: SlackOption[]; initial_option?: SlackOption; placeholder?: PlainText }
  | { type: 'multi_static_select'; action_id: string; options: SlackOption[]; initial_options?: SlackOption[]; placeholder?: PlainText }
  | { type: 'radio_buttons'; action_id: string; options: SlackOption[]; initial_option?: SlackOption };

export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text?: MrkdwnText; fields?: MrkdwnText[] }
  | { type: 'divider' }
  | { type: 'context'; elements: MrkdwnText[] }
  | { type: 'actions'; elements: SlackButton[] }
  | { type: 'input'; block_id: string; label: PlainText; element: SlackInputElement; optional?: boolean; hint?: PlainText };

/** A message: `text` is the notification and accessibility fallback for the blocks. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface SlackView {
  type: 'modal';
  callback_id: string;
  title: PlainText;
  submit?: PlainText;
  close?: PlainText;
  private_metadata?: string;
  blocks: SlackBlock[];
}

export interface SlackHome {
  type: 'home';
  blocks: SlackBlock[];
}

/** Slack's documented limits (Block Kit reference), in characters unless named otherwise. */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  /** Slack truncates longer message text; the fallback is kept far shorter (see caps). */
  messageText: 40_000,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  selectOptions: 100,
  radioOptions: 10,
  optionText: 75,
  optionValue: 150,
  placeholder: 150,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputValue: 3000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
} as const;

/**
 * Our own caps, tighter than Slack's, so one reply never floods a channel: past these the
 * renderer truncates and says "…and N more".
 */
export const SLACK_CAPS = {
  messagesPerReply: 10,
  sectionsPerText: 5,
  sectionsPerList: 10,
  sectionsPerFields: 5,
  actionsBlocksPerButtons: 4,
  fallbackText: 3000,
  /** Widest grid line; wider code blocks wrap and the table falls apart. */
  gridLineWidth: 90,
  gridCellWidth: 24,
  /** Slack documents no limit for view errors; this keeps them readable. */
  errorText: 2000,
} as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function checkText(problems: string[], where: string, t: TextObject | undefined, max: number, kind?: TextObject['type']): void {
  if (!t) {
    problems.push(`${where}: missing text`);
    return;
  }
  if (kind && t.type !== kind) problems.push(`${where}: must be ${kind}, is ${t.type}`);
  if (typeof t.text !== 'string' || t.text.trim().length === 0) problems.push(`${where}: empty text`);
  else if (t.text.length > max) problems.push(`${where}: ${t.text.length} chars > ${max}`);
}

function checkOptions(problems: string[], where: string, options: SlackOption[], max: number): void {
  if (options.length === 0) problems.push(`${where}: no options`);
  if (options.length > max) problems.push(`${where}: ${options.length} options > ${max}`);
  const seen = new Set<string>();
  options.forEach((o, i) => {
    checkText(problems, `${where}.options[${i}]`, o.text, SLACK_LIMITS.optionText, 'plain_text');
    if (o.value.length === 0 || o.value.length > SLACK_LIMITS.optionValue) problems.push(`${where}.options[${i}]: value length ${o.value.length}`);
    if (seen.has(o.value)) problems.push(`${where}.options[${i}]: duplicate value`);
    seen.add(o.value);
  });
}

function isOneOf(options: SlackOption[], o: SlackOption): boolean {
  return options.some((x) => x.value === o.value && x.text.text === o.text.text);
}

function checkElement(problems: string[], where: string, e: SlackInputElement): void {
  if ('placeholder' in e && e.placeholder) checkText(problems, `${where}.placeholder`, e.placeholder, SLACK_LIMITS.placeholder, 'plain_text');
  switch (e.type) {
    case 'plain_text_input':
      if (e.initial_value !== undefined && e.initial_value.length > SLACK_LIMITS.plainTextInputValue) problems.push(`${where}: initial_value too long`);
      break;
    case 'number_input':
      if (e.initial_value !== undefined && !NUMBER.test(e.initial_value)) problems.push(`${where}: initial_value not a number`);
      if (e.initial_value?.includes('.') && !e.is_decimal_allowed) problems.push(`${where}: decimal initial_value`);
      break;
    case 'datepicker':
      if (e.initial_date !== undefined && !(ISO_DATE.test(e.initial_date) && !Number.isNaN(Date.parse(e.initial_date)))) problems.push(`${where}: initial_date ${e.initial_date}`);
      break;
    case 'static_select':
      checkOptions(problems, where, e.options, SLACK_LIMITS.selectOptions);
      if (e.initial_option && !isOneOf(e.options, e.initial_option)) problems.push(`${where}: initial_option not among options`);
      break;
    case 'multi_static_select':
      checkOptions(problems, where, e.options, SLACK_LIMITS.selectOptions);
      for (const o of e.initial_options ?? []) if (!isOneOf(e.options, o)) problems.push(`${where}: initial_options not among options`);
      break;
    case 'radio_buttons':
      checkOptions(problems, where, e.options, SLACK_LIMITS.radioOptions);
      if (e.initial_option && !isOneOf(e.options, e.initial_option)) problems.push(`${where}: initial_option not among options`);
      break;
  }
}

function checkBlocks(problems: string[], blocks: SlackBlock[], maxBlocks: number): void {
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks > ${maxBlocks}`);
  const actionIds = new Set<string>();
  const blockIds = new Set<string>();
  const claim = (ids: Set<string>, id: string, where: string, max: number): void => {
    if (id.length === 0 || id.length > max) problems.push(`${where}: id length ${id.length}`);
    if (ids.has(id)) problems.push(`${where}: duplicate id ${id}`);
    ids.add(id);
  };
  blocks.forEach((b, i) => {
    const where = `blocks[${i}] ${b.type}`;
    switch (b.type) {
      case 'header':
        checkText(problems, where, b.text, SLACK_LIMITS.headerText, 'plain_text');
        break;
      case 'section':
        if (!b.text && !b.fields) problems.push(`${where}: needs text or fields`);
        if (b.text) checkText(problems, where, b.text, SLACK_LIMITS.sectionText);
        if (b.fields) {
          if (b.fields.length === 0 || b.fields.length > SLACK_LIMITS.sectionFields) problems.push(`${where}: ${b.fields.length} fields`);
          b.fields.forEach((f, j) => checkText(problems, `${where}.fields[${j}]`, f, SLACK_LIMITS.fieldText));
        }
        break;
      case 'context':
        if (b.elements.length === 0 || b.elements.length > SLACK_LIMITS.contextElements) problems.push(`${where}: ${b.elements.length} elements`);
        b.elements.forEach((e, j) => checkText(problems, `${where}.elements[${j}]`, e, SLACK_LIMITS.contextText));
        break;
      case 'actions':
        if (b.elements.length === 0 || b.elements.length > SLACK_LIMITS.actionsElements) problems.push(`${where}: ${b.elements.length} elements`);
        b.elements.forEach((e, j) => {
          checkText(problems, `${where}.elements[${j}]`, e.text, SLACK_LIMITS.buttonText, 'plain_text');
          if (e.value.length === 0 || e.value.length > SLACK_LIMITS.buttonValue) problems.push(`${where}.elements[${j}]: value length ${e.value.length}`);
          claim(actionIds, e.action_id, `${where}.elements[${j}]`, SLACK_LIMITS.actionId);
        });
        break;
      case 'input':
        claim(blockIds, b.block_id, where, SLACK_LIMITS.blockId);
        claim(actionIds, b.element.action_id, `${where}.element`, SLACK_LIMITS.actionId);
        checkText(problems, `${where}.label`, b.label, SLACK_LIMITS.inputLabel, 'plain_text');
        if (b.hint) checkText(problems, `${where}.hint`, b.hint, SLACK_LIMITS.inputHint, 'plain_text');
        checkElement(problems, `${where}.element`, b.element);
        break;
      case 'divider':
        break;
    }
  });
}

/** Every way `payload` breaks Slack's limits; empty when Slack would accept it. */
export function slackPayloadProblems(payload: SlackMessage | SlackView | SlackHome): string[] {
  const problems: string[] = [];
  if ('type' in payload && payload.type === 'modal') {
    checkBlocks(problems, payload.blocks, SLACK_LIMITS.viewBlocks);
    checkText(problems, 'title', payload.title, SLACK_LIMITS.modalTitle, 'plain_text');
    if (payload.submit) checkText(problems, 'submit', payload.submit, SLACK_LIMITS.modalButton, 'plain_text');
    if (payload.close) checkText(problems, 'close', payload.close, SLACK_LIMITS.modalButton, 'plain_text');
    if (!payload.submit && payload.blocks.some((b) => b.type === 'input')) problems.push('modal with inputs needs submit');
    if (payload.callback_id.length > SLACK_LIMITS.callbackId) problems.push('callback_id too long');
    if ((payload.private_metadata ?? '').length > SLACK_LIMITS.privateMetadata) problems.push('private_metadata too long');
  } else if ('type' in payload && payload.type === 'home') {
    checkBlocks(problems, payload.blocks, SLACK_LIMITS.viewBlocks);
  } else {
    const message = payload as SlackMessage;
    checkBlocks(problems, message.blocks, SLACK_LIMITS.messageBlocks);
    if (message.blocks.some((b) => b.type === 'input')) problems.push('input blocks belong in views');
    if (message.text.length === 0 || message.text.length > SLACK_LIMITS.messageText) problems.push(`text length ${message.text.length}`);
  }
  return problems;
}
