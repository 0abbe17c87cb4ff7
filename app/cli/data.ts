/** `hotline data key|rekey`: the key that seals personal fields, and resealing after a rotation. */
import { resealTotpSecrets } from '../../auth/index.js';
import { newDataKey } from '../../core/index.js';
import { resealCases } from '../../dispatch/index.js';
import { resealCalls, resealReferrals, resealTranscripts } from '../../telephony/index.js';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import type { Command } from './command.js';

export const dataCommands: Command[] = [
  {
    path: ['data', 'new-key'],
    summary: 'Print a new random key for DATA_KEY (base64, 32 bytes)',
    usage: `hotline data new-key
  To rotate: set DATA_KEY to the new key and DATA_KEYS_PREVIOUS to the old one on every process,
  restart, run hotline data rekey, then drop DATA_KEYS_PREVIOUS.`,
    async run() {
      console.log(newDataKey());
      return 0;
    },
  },
  {
    path: ['data', 'rekey'],
    summary:
      "Reseal callers' names, numbers and the ID numbers in texts with the current DATA_KEY (after a rotation, or data from before sealing)",
    usage: 'hotline data rekey\n  Reads DATA_KEY and DATA_KEYS_PREVIOUS (or DATA_DIR/data.key); safe to run while the server serves.',
    async run() {
      const rt = await openRuntime(loadConfig());
      try {
        const cases = await resealCases(rt.db);
        const calls = await resealCalls(rt.db);
        const segments = await resealTranscripts(rt.db);
        const referrals = await resealReferrals(rt.db);
        const totp = await resealTotpSecrets(rt.db);
        console.log(
          `Resealed ${cases} cases, ${calls} calls, ${segments} transcript segments, ${referrals} referral excerpts and ${totp} two-factor secrets with the current data key.`,
        );
        return 0;
      } finally {
        await rt.close();
      }
    },
  },
];
