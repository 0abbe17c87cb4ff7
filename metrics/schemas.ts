import { Type } from '@sinclair/typebox';
import { AGENT_STATES } from './agents.js';

const Rate = Type.Union([Type.Number(), Type.Null()], { description: '0-1, null when there is nothing to divide by' });

export const CallFiguresSchema = Type.Object({
  offered: Type.Integer(),
  answered: Type.Integer(),
  abandoned: Type.Integer(),
  answeredWithin15s: Type.Integer(),
  answerRate: Rate,
  serviceLevel15s: Rate,
  avgHandlingSeconds: Type.Union([Type.Number(), Type.Null()]),
});

export const CaseFiguresSchema = Type.Object({
  created: Type.Integer(),
  dispatched: Type.Integer(),
  closed: Type.Integer(),
  overdueNow: Type.Integer(),
  completed: Type.Integer(),
  completedOnTime: Type.Integer(),
  onTimeRate: Rate,
  createdClosed: Type.Integer(),
  resolutionRate: Rate,
  surveyed: Type.Integer(),
  satisfied: Type.Integer(),
  satisfactionRate: Rate,
  reopened: Type.Integer(),
  reopenRate: Rate,
});

export const BreakdownSchema = Type.Object({
  key: Type.String(),
  name: Type.String(),
  created: Type.Integer(),
  closed: Type.Integer(),
  overdueNow: Type.Integer(),
  onTimeRate: Rate,
  satisfactionRate: Rate,
});

export const WallboardSchema = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    timezone: Type.String(),
    queue: Type.Object({ waiting: Type.Integer(), longestWaitSeconds: Type.Integer(), inProgress: Type.Integer() }),
    agents: Type.Union([Type.Object(Object.fromEntries(AGENT_STATES.map((s) => [s, Type.Integer()]))), Type.Null()], {
      description: 'agents by state; null until telephony reports agent states',
    }),
    calls: CallFiguresSchema,
    callsByHour: Type.Array(
      Type.Object({ hour: Type.Integer(), offered: Type.Integer(), answered: Type.Integer(), abandoned: Type.Integer() }),
    ),
    cases: CaseFiguresSchema,
    byCategory: Type.Array(BreakdownSchema),
    byDepartment: Type.Array(BreakdownSchema),
    byDay: Type.Array(BreakdownSchema),
  },
  { $id: 'Wallboard' },
);

export const ReportSchema = Type.Object(
  {
    from: Type.String(),
    to: Type.String(),
    timezone: Type.String(),
    calls: CallFiguresSchema,
    cases: CaseFiguresSchema,
    byDay: Type.Array(BreakdownSchema),
    byCategory: Type.Array(BreakdownSchema),
    byDepartment: Type.Array(BreakdownSchema),
  },
  { $id: 'MetricsReport' },
);

export const PeriodQuery = Type.Object({
  from: Type.String({ description: 'first day, YYYY-MM-DD', examples: ['2026-11-01'] }),
  to: Type.String({ description: 'last day (inclusive), YYYY-MM-DD', examples: ['2026-11-30'] }),
});
