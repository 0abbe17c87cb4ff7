/** The working-day calendar: a year's public holidays and make-up workdays (调休). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { protectedErrors } from '../../core/index.js';
import { listCalendarYear, replaceCalendarYear } from '../calendar-store.js';
import { CalendarDaySchema } from '../schemas.js';
import type { DispatchRouteOptions } from './shared.js';

const Year = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) });

export const calendarRoutes: FastifyPluginAsyncTypebox<DispatchRouteOptions> = async (app, { ctx }) => {
  const { db } = ctx;

  app.get(
    '/api/calendar/:year',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['calendar'],
        summary: "A year's public holidays and make-up workdays (调休); other weekdays work, weekends rest",
        params: Year,
        response: { 200: Type.Array(CalendarDaySchema), ...protectedErrors },
      },
    },
    async (req) => listCalendarYear(db, req.params.year),
  );

  app.put(
    '/api/calendar/:year',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['calendar'],
        summary: "Replace a year's holidays and make-up workdays",
        params: Year,
        body: Type.Object({ days: Type.Array(CalendarDaySchema, { maxItems: 366 }) }),
        response: { 200: Type.Array(CalendarDaySchema), ...protectedErrors },
      },
    },
    async (req) =>
      replaceCalendarYear(
        db,
        req.params.year,
        req.body.days.map((d) => ({ ...d, name: d.name ?? null })),
      ),
  );
};
