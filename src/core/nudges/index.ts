/** Reminder policy: when nudges are due, to whom, and what they say. Pure; no I/O. */
export * from './nudge.policy.js';
export * from './nudge.recipients.js';
export * from './nudge.message.js';
export * from './digest.policy.js';
