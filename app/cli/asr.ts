/** `hotline asr ...` and `hotline models`: speech recognition from the command line. */
import { buildDomainLm, createAsrEngine, type EngineName, setupModels, transcribeFile } from '../../asr/index.js';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { type Command, UsageError } from './command.js';

const ENGINES: EngineName[] = ['vosk', 'pocketsphinx', 'remote'];

export const asrCommands: Command[] = [
  {
    path: ['asr', 'transcribe'],
    summary: 'Recognize WAV files (8/16 kHz, PCM or G.711 µ-law/A-law); one JSON line per file',
    usage: `hotline asr transcribe [--engine vosk|pocketsphinx|remote] [--lm domain|generic] [--rate 8000|16000] FILE.wav [FILE2.wav ...]
  Prints {"audio","text","seconds","decode_seconds"} per file. Without --engine the configured
  engine is used (ASR_ENGINE). --rate resamples before recognition. A file that cannot be
  read is reported on stderr and the exit code is 1.`,
    options: { engine: { type: 'string' }, lm: { type: 'string' }, rate: { type: 'string' } },
    allowPositionals: true,
    async run({ values, positionals }) {
      if (!positionals.length) throw new UsageError('Give one or more WAV files.');
      const engine = values.engine as string | undefined;
      if (engine !== undefined && !(ENGINES as string[]).includes(engine))
        throw new UsageError(`--engine ${engine}: use one of ${ENGINES.join(', ')}.`);
      const lm = values.lm as string | undefined;
      if (lm !== undefined && lm !== 'domain' && lm !== 'generic') throw new UsageError(`--lm ${lm}: use domain or generic.`);
      const rate = values.rate === undefined ? undefined : Number(values.rate);
      if (rate !== undefined && rate !== 8000 && rate !== 16000) throw new UsageError(`--rate ${values.rate}: use 8000 or 16000.`);
      const config = loadConfig();
      const choice = createAsrEngine(config.values, { engine: engine as EngineName | undefined, lm, poolSize: 1 });
      if (!choice.engine) {
        console.error(`hotline asr transcribe: ${choice.description}`);
        return 1;
      }
      let failed = 0;
      try {
        for (const file of positionals) {
          try {
            console.log(JSON.stringify(await transcribeFile(choice.engine, file, { rate })));
          } catch (err) {
            failed++;
            console.error(`hotline asr transcribe: ${(err as Error).message}`);
          }
        }
      } finally {
        await choice.engine.close();
      }
      return failed ? 1 : 0;
    },
  },
  {
    path: ['asr', 'build-lm'],
    summary: "Rebuild the hotline's domain language model (ARPA) from its texts, categories and place names",
    usage: `hotline asr build-lm [--no-db] [--weight 0.5] [--out PATH]
  Reads SHARED_DIR/text/*/train.jsonl, the categories and organisation units from the database
  (--no-db: the default catalogue only) and extra lines from MODELS_DIR/asr/lm/extra.txt, keeps
  words the acoustic model's dictionary can pronounce, mixes the result with the generic LM
  (--weight = share of the domain model) and writes MODELS_DIR/asr/lm/hotline.arpa.`,
    options: { 'no-db': { type: 'boolean', default: false }, weight: { type: 'string' }, out: { type: 'string' } },
    async run({ values }) {
      const config = loadConfig();
      const weight = values.weight === undefined ? undefined : Number(values.weight);
      if (weight !== undefined && !(weight > 0 && weight <= 1)) throw new UsageError('--weight must be a number above 0 and at most 1.');
      const rt = values['no-db'] ? undefined : await openRuntime(config);
      try {
        const report = await buildDomainLm(config.values, { db: rt?.db, weight, out: values.out as string | undefined });
        console.log(report.summary);
      } finally {
        await rt?.close();
      }
    },
  },
  {
    path: ['models'],
    summary: 'Set up the speech models and libvosk.so in MODELS_DIR (from SHARED_DIR when present, else download and verify)',
    usage: `hotline models [--no-download]
  PocketSphinx Mandarin model: copied from SHARED_DIR/models/. libvosk.so: extracted from the
  vosk npm package tarball. Vosk model vosk-model-small-cn-0.22: copied from SHARED_DIR/models/,
  or from MODELS_DIR/asr/vosk-model-small-cn-0.22.zip, or downloaded from alphacephei.com; the zip
  is checked against its published size and SHA-256. Exit code 1 if something could not be set up.`,
    options: { 'no-download': { type: 'boolean', default: false } },
    async run({ values }) {
      const config = loadConfig();
      const report = await setupModels(config.values, { download: values['no-download'] !== true, log: (l) => console.log(l) });
      for (const p of report.problems) console.error(`hotline models: ${p}`);
      return report.problems.length ? 1 : 0;
    },
  },
];
