/**
 * mongoose schemas for every stored record. Each tenant collection carries `workspaceId`
 * and the tenant plugin; unique indexes back the rules the core relies on (one slug per
 * organisation, one ref per tender, one ledger entry per nudge).
 */
import { Schema } from 'mongoose';
import type {
  AuditEntry, Consortium, Interest, Member, Organisation, Task, Tender, Workspace,
} from '../core/domain.js';
import type { CalendarToken, MatchRun, NudgeRecord } from '../core/ports.js';
import { tenantPlugin } from './tenant.plugin.js';

const ws = { type: String, required: true } as const;
const opts = { versionKey: false, minimize: false } as const;
const str = (max: number, required = false) => ({ type: String, maxlength: max, required, trim: true });
const strList = (max: number, each = 200) => ({
  type: [{ type: String, maxlength: each }],
  default: [] as string[],
  validate: { validator: (v: string[]) => v.length <= max, message: `at most ${max} entries` },
});
const money = (required = false) => ({ type: Number, min: 0, max: 1e12, required });

export const workspaceSchema = new Schema<Workspace & { _id: string }>(
  {
    _id: { type: String, required: true },
    id: { type: String, required: true },
    platform: { type: String, enum: ['slack', 'teams', 'console'], required: true },
    name: str(200),
    settings: {
      timezone: { type: String, default: 'Europe/London' },
      hoursStart: { type: String, default: '09:00', match: /^\d\d:\d\d$/ },
      hoursEnd: { type: String, default: '17:30', match: /^\d\d:\d\d$/ },
      holidays: { type: String, enum: ['england-and-wales', 'scotland', 'northern-ireland'], default: 'england-and-wales' },
      coordinators: { type: [String], default: [] },
      weights: {
        local: { type: Number, default: 10 },
        redundant: { type: Number, default: 2 },
        small: { type: Number, default: 5 },
        ties: { type: Number, default: 3 },
        members: { type: Number, default: -8 },
        busy: { type: Number, default: -2 },
      },
      nudges: { type: Boolean, default: true },
      nudgesOffFor: { type: [String], default: [] },
      reminderDays: { type: [Number], default: [7, 3, 1] },
      planTemplate: { type: Schema.Types.Mixed, default: null },
      retentionMonths: { type: Number, default: 24, min: 1, max: 240 },
    },
  },
  { ...opts, timestamps: true },
);

export const organisationSchema = new Schema<Organisation>(
  {
    workspaceId: ws,
    slug: { type: String, required: true, maxlength: 60, match: /^[a-z0-9-]+$/ },
    name: { ...str(120, true), minlength: 2 },
    services: strList(30, 80),
    areas: strList(60, 80),
    home: str(80, true),
    income: money(true),
    capacity: money(true),
    canLead: { type: Boolean, default: false },
    accreditations: strList(30, 80),
    charityNumber: str(20),
    partners: strList(100, 60),
    unavailable: { type: Boolean, default: false },
    createdBy: str(200, true),
  },
  { ...opts, timestamps: true },
);
organisationSchema.index({ workspaceId: 1, slug: 1 }, { unique: true });

export const memberSchema = new Schema<Member>(
  {
    workspaceId: ws,
    userId: str(200, true),
    orgSlug: str(60, true),
    role: { type: String, enum: ['admin', 'member'], required: true },
    displayName: str(200),
  },
  { ...opts, timestamps: true },
);
memberSchema.index({ workspaceId: 1, userId: 1, orgSlug: 1 }, { unique: true });
memberSchema.index({ workspaceId: 1, orgSlug: 1 });

const cellSchema = new Schema({ service: str(80, true), area: str(80, true), accreditation: str(80) }, { _id: false });

export const tenderSchema = new Schema<Tender>(
  {
    workspaceId: ws,
    ref: str(20, true),
    title: { ...str(300, true), minlength: 3 },
    description: str(5000),
    buyer: str(300),
    annualValue: money(true),
    years: { type: Number, min: 0, max: 50, required: true },
    currency: { type: String, default: 'GBP', maxlength: 3 },
    leadMinIncome: money(),
    leadAccreditations: strList(20, 80),
    maxMembers: { type: Number, min: 1, max: 20, default: 6 },
    cells: { type: [cellSchema], default: [] },
    lots: { type: [new Schema({ id: str(40, true), title: str(300, true) }, { _id: false })], default: [] },
    dates: {
      published: Date,
      clarification: Date,
      submission: { type: Date, required: true },
      contractStart: Date,
    },
    status: { type: String, enum: ['draft', 'open', 'won', 'lost', 'withdrawn'], required: true },
    cpv: strList(50, 40),
    regions: strList(50, 120),
    suitability: { vcse: Boolean, sme: Boolean },
    source: str(300),
    missing: { type: [String], default: undefined },
    createdBy: str(200, true),
    closedAt: Date,
  },
  { ...opts, timestamps: true },
);
tenderSchema.index({ workspaceId: 1, ref: 1 }, { unique: true });
tenderSchema.index({ workspaceId: 1, status: 1 });

export const interestSchema = new Schema<Interest>(
  {
    workspaceId: ws,
    tenderRef: str(20, true),
    orgSlug: str(60, true),
    as: { type: String, enum: ['lead', 'partner', 'either'], required: true },
    by: str(200, true),
    withdrawn: { type: Boolean, default: false },
  },
  { ...opts, timestamps: true },
);
interestSchema.index({ workspaceId: 1, tenderRef: 1, orgSlug: 1 }, { unique: true });

const consortiumMemberSchema = new Schema(
  {
    orgSlug: str(60, true),
    role: { type: String, enum: ['lead', 'partner'], required: true },
    answer: { type: String, enum: ['pending', 'accepted', 'declined'], required: true },
    answeredBy: str(200),
    reason: str(500),
  },
  { _id: false },
);

export const consortiumSchema = new Schema<Consortium>(
  {
    workspaceId: ws,
    ref: str(20, true),
    tenderRef: str(20, true),
    lot: str(40),
    members: { type: [consortiumMemberSchema], default: [] },
    memberSlugs: { type: [String], default: [] },
    state: { type: String, enum: ['proposed', 'formed', 'declined', 'dissolved'], required: true },
    score: { type: Number, default: 0 },
    proposedBy: str(200, true),
    conversationId: str(200),
    formedAt: Date,
    rev: { type: Number, default: 0 },
  },
  { ...opts, timestamps: true },
);
consortiumSchema.index({ workspaceId: 1, ref: 1 }, { unique: true });
consortiumSchema.index({ workspaceId: 1, tenderRef: 1 });

export const taskSchema = new Schema<Task>(
  {
    workspaceId: ws,
    ref: str(20, true),
    consortiumRef: str(20, true),
    title: { ...str(300, true), minlength: 2 },
    due: { type: Date, required: true },
    owner: {
      kind: { type: String, enum: ['user', 'org'], required: true },
      id: str(200),
      slug: str(60),
    },
    status: { type: String, enum: ['open', 'done'], required: true },
    doneAt: Date,
    doneBy: str(200),
    snoozedUntil: Date,
    step: str(60),
    latePlanned: Boolean,
    createdBy: str(200, true),
    version: { type: Number, default: 1 },
  },
  { ...opts, timestamps: true },
);
taskSchema.index({ workspaceId: 1, ref: 1 }, { unique: true });
taskSchema.index({ workspaceId: 1, consortiumRef: 1 });
taskSchema.index({ workspaceId: 1, status: 1, due: 1 });

export const auditSchema = new Schema<AuditEntry>(
  {
    workspaceId: ws,
    at: { type: Date, required: true },
    actor: str(200, true),
    action: str(80, true),
    subject: str(200, true),
    details: { type: Schema.Types.Mixed },
  },
  { ...opts },
);
auditSchema.index({ workspaceId: 1, at: -1 });

export const matchRunSchema = new Schema<MatchRun>(
  {
    workspaceId: ws,
    tenderRef: str(20, true),
    by: str(200, true),
    at: { type: Date, required: true },
    pool: { type: String, enum: ['interested', 'directory'], required: true },
    excluded: { type: [String], default: [] },
    proposals: { type: Schema.Types.Mixed, default: [] },
  },
  { ...opts },
);
matchRunSchema.index({ workspaceId: 1, tenderRef: 1 }, { unique: true });

export const calendarTokenSchema = new Schema<CalendarToken>(
  {
    workspaceId: ws,
    userId: str(200, true),
    token: str(100, true),
    createdAt: { type: Date, required: true },
  },
  { ...opts },
);
calendarTokenSchema.index({ token: 1 }, { unique: true });
calendarTokenSchema.index({ workspaceId: 1, userId: 1 }, { unique: true });

export const nudgeSchema = new Schema<NudgeRecord>(
  {
    workspaceId: ws,
    key: str(300, true),
    dueAt: { type: Date, required: true },
    claimedAt: { type: Date, required: true },
    attempts: { type: Number, default: 1 },
  },
  { ...opts },
);
nudgeSchema.index({ workspaceId: 1, key: 1 }, { unique: true });

export const counterSchema = new Schema<{ _id: string; seq: number }>({ _id: String, seq: Number }, { versionKey: false });

export const tenantSchemas = {
  Organisation: organisationSchema,
  Member: memberSchema,
  Tender: tenderSchema,
  Interest: interestSchema,
  Consortium: consortiumSchema,
  Task: taskSchema,
  AuditEntry: auditSchema,
  MatchRun: matchRunSchema,
  CalendarToken: calendarTokenSchema,
  NudgeRecord: nudgeSchema,
} as const;

for (const s of Object.values(tenantSchemas) as Schema[]) s.plugin(tenantPlugin);
