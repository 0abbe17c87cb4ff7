/** `hotline retention plan|apply`: what the site's retention policy removes, and applying it. */
import { applyRetention, retentionPlan, retentionPolicyFrom } from '../../retention/index.js';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { type Command, UsageError } from './command.js';

const POLICY_HELP = `The policy comes from RETENTION_TRANSCRIPT_DAYS, RETENTION_PERSONAL_DAYS and RETENTION_AUDIT_DAYS
  (see hotline --help); 0 keeps that kind of data forever.`;

export const retentionCommands: Command[] = [
  {
    path: ['retention', 'plan'],
    summary: 'Show what the retention policy would remove now (changes nothing)',
    usage: `hotline retention plan [--json]\n  ${POLICY_HELP}`,
    options: { json: { type: 'boolean' } },
    async run({ values }) {
      const config = loadConfig();
      const policy = retentionPolicyFrom(config.values);
      const rt = await openRuntime(config);
      try {
        const plan = await retentionPlan(rt.db, policy);
        if (values.json) {
          console.log(JSON.stringify({ policy, ...plan }, null, 2));
          return 0;
        }
        const when = (iso: string | null) => (iso ? `before ${iso.slice(0, 10)}` : 'kept forever');
        console.log(
          `Transcripts of calls ended ${when(plan.cutoffs.transcripts)}: ${plan.transcripts.segments} segments of ${plan.transcripts.calls} calls`,
        );
        console.log(
          `Personal data of cases closed ${when(plan.cutoffs.personal)}: ${plan.cases} cases (name, phone, address removed; numbers in text masked)`,
        );
        console.log(`Caller numbers of calls ended ${when(plan.cutoffs.personal)}: ${plan.calls} calls (masked)`);
        console.log(`Emergency referrals ${when(plan.cutoffs.personal)}: ${plan.referrals} (transcript excerpt and address removed)`);
        console.log(`Audit rows of cases closed ${when(plan.cutoffs.audit)}: ${plan.auditRows}`);
        console.log('Run `hotline retention apply --yes` to apply it.');
        return 0;
      } finally {
        await rt.close();
      }
    },
  },
  {
    path: ['retention', 'apply'],
    summary: 'Apply the retention policy now (the server also applies it every RETENTION_SWEEP_HOURS)',
    usage: `hotline retention apply --yes\n  ${POLICY_HELP}\n  Run hotline retention plan first to see what it removes.`,
    options: { yes: { type: 'boolean' } },
    async run({ values }) {
      if (!values.yes) throw new UsageError('This removes data for good: check `hotline retention plan`, then add --yes.');
      const config = loadConfig();
      const policy = retentionPolicyFrom(config.values);
      const rt = await openRuntime(config);
      try {
        const removed = await applyRetention(rt.db, policy, 'cli');
        console.log(
          `Removed ${removed.transcriptSegments} transcript segments; anonymised ${removed.cases} cases, ${removed.calls} calls and ${removed.referrals} referrals; removed ${removed.auditRows} audit rows.`,
        );
        return 0;
      } finally {
        await rt.close();
      }
    },
  },
];
