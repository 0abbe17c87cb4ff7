/** `hotline asr ...` and `hotline models`: speech recognition from the command line. */
import {
  type AsrEngine,
  buildDomainLm,
  buildPinyinLm,
  createAsrEngine,
  DEFAULT_SHERPA_MODEL,
  type DetailedTranscript,
  describeSherpaModelDir,
  type EngineName,
  findSherpaModel,
  formatSherpaList,
  installSherpaModel,
  installSherpaSupportFiles,
  progressBar,
  type SetupReport,
  SHERPA_MODELS,
  setupModels,
  transcribeFile,
} from '../../asr/index.js';
import {
  checkEmergency,
  createClassifier,
  defaultEmergencyRules,
  type EmergencyRule,
  listEmergencyRules,
  setEmergencyRules,
} from '../../classifier/index.js';
import { keywordList, recordingEmergency, spokenRules } from '../../emergency/index.js';
import { loadConfig, type SettingValues } from '../config.js';
import { openRuntime } from '../runtime.js';
import { type Command, UsageError } from './command.js';

const ENGINES: EngineName[] = ['sherpa', 'vosk', 'pocketsphinx', 'remote'];

/**
 * What a live call's emergency watch uses, for recordings: the site's rules (from the
 * database; the shipped defaults when it cannot be opened, said on stderr), their phrases
 * given to the engine's keyword spotter, and the classifier's model.
 */
async function emergencyDetector(config: ReturnType<typeof loadConfig>, engine: AsrEngine) {
  let rt: Awaited<ReturnType<typeof openRuntime>> | undefined;
  let rules: EmergencyRule[] = defaultEmergencyRules();
  try {
    rt = await openRuntime(config);
    rules = await listEmergencyRules(rt.db);
    setEmergencyRules(rules);
  } catch (err) {
    console.error(
      `hotline asr transcribe: the site's emergency rules could not be read (${(err as Error).message}); using the shipped rules.`,
    );
  }
  const spoken = spokenRules(rules);
  const set = engine.setKeywords ? await engine.setKeywords(keywordList(spoken)) : undefined;
  if (!set)
    console.error(`hotline asr transcribe: the ${engine.name} engine has no keyword spotter; emergencies are read in the transcript only.`);
  const classifier = rt ? createClassifier({ db: rt.db, modelsDir: config.modelsDir }) : undefined;
  return {
    detect: (t: DetailedTranscript) =>
      recordingEmergency({ finals: t.finals, hits: t.hits, check: checkEmergency, spoken, modelCheck: classifier?.checkEmergency }),
    async close() {
      await classifier?.close();
      await rt?.close();
    },
  };
}

export const asrCommands: Command[] = [
  {
    path: ['asr', 'transcribe'],
    summary: 'Recognize WAV files (8/16 kHz, PCM or G.711 µ-law/A-law); one JSON line per file',
    usage: `hotline asr transcribe [--engine sherpa|vosk|pocketsphinx|remote] [--lm domain|generic] [--rate 8000|16000] [--emergency] FILE.wav [FILE2.wav ...]
  Prints {"audio","text","seconds","decode_seconds"} per file. --emergency adds
  "emergency":{"is","line","words","source":["speech"|"text"|"model"],"atMs","reason"}: the
  detection a live call gets (the site's emergency rules from the database, spoken by the
  keyword spotter and read in the transcript, then the classifier's model). Without --engine the configured
  engine is used (ASR_ENGINE; auto prefers sherpa when its model is set up). --lm chooses
  PocketSphinx's language model. --rate resamples before recognition. A file that cannot be
  read is reported on stderr and the exit code is 1.`,
    options: {
      engine: { type: 'string' },
      lm: { type: 'string' },
      rate: { type: 'string' },
      emergency: { type: 'boolean', default: false },
    },
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
      const detector = values.emergency ? await emergencyDetector(config, choice.engine) : undefined;
      try {
        for (const file of positionals) {
          try {
            const t = await transcribeFile(choice.engine, file, { rate });
            const { finals, hits, ...line } = t;
            const emergency = detector ? await detector.detect(t) : undefined;
            console.log(JSON.stringify(emergency ? { ...line, emergency } : line));
          } catch (err) {
            failed++;
            console.error(`hotline asr transcribe: ${(err as Error).message}`);
          }
        }
      } finally {
        await detector?.close();
        await choice.engine.close();
      }
      return failed ? 1 : 0;
    },
  },
  {
    path: ['asr', 'build-lm'],
    summary: "Rebuild the hotline's language models from its texts, categories and place names (both engines)",
    usage: `hotline asr build-lm [--no-db] [--weight 0.5] [--out PATH]
  Reads SHARED_DIR/text/*/train.jsonl, the categories and organisation units from the database
  (--no-db: the default catalogue only) and extra lines from MODELS_DIR/asr/lm/extra.txt (short
  lines also count as site words: places, names the recognizer must spell the site's way).
  PocketSphinx: keeps words its dictionary can pronounce, mixes the result with the generic LM
  (--weight = share of the domain model) and writes MODELS_DIR/asr/lm/hotline.arpa (--out).
  Sherpa (pinyin model): the lexicon with tones and site words, the hotline's word trigram and
  the general-Chinese model to mix in (Debian's sunpinyin-data when installed), written to
  MODELS_DIR/asr/lm/pinyin-*; a running server uses them from its next call on.`,
    options: { 'no-db': { type: 'boolean', default: false }, weight: { type: 'string' }, out: { type: 'string' } },
    async run({ values }) {
      const config = loadConfig();
      const weight = values.weight === undefined ? undefined : Number(values.weight);
      if (weight !== undefined && !(weight > 0 && weight <= 1)) throw new UsageError('--weight must be a number above 0 and at most 1.');
      const rt = values['no-db'] ? undefined : await openRuntime(config);
      const failed: string[] = [];
      try {
        // Each engine's model is built when its inputs are there; one missing input does not stop the other.
        for (const [what, build] of [
          [
            'PocketSphinx LM',
            async () => (await buildDomainLm(config.values, { db: rt?.db, weight, out: values.out as string | undefined })).summary,
          ],
          ['pinyin converter', async () => (await buildPinyinLm(config.values, { db: rt?.db })).summary],
        ] as const) {
          try {
            console.log(await build());
          } catch (err) {
            failed.push(`${what}: ${(err as Error).message}`);
          }
        }
      } finally {
        await rt?.close();
      }
      for (const f of failed) console.error(`hotline asr build-lm: ${f}`);
      return failed.length === 2 ? 1 : 0;
    },
  },
  {
    path: ['models'],
    summary:
      'Set up the speech models (sherpa, PocketSphinx, Vosk) in MODELS_DIR (from SHARED_DIR when present, else download and verify); --list',
    usage: `hotline models [--no-download]
hotline models --sherpa NAME [--no-download]
hotline models --list
  Without options: PocketSphinx Mandarin model: copied from SHARED_DIR/models/. libvosk.so: extracted
  from the vosk npm package tarball. Vosk model vosk-model-small-cn-0.22: copied from SHARED_DIR/models/,
  or from MODELS_DIR/asr/vosk-model-small-cn-0.22.zip, or downloaded from alphacephei.com; the zip
  is checked against its published size and SHA-256.
  Sherpa-onnx (ASR_ENGINE=sherpa): the model SHERPA_MODEL (default
  ${DEFAULT_SHERPA_MODEL}) into MODELS_DIR/asr/sherpa/, Silero VAD and
  the pinyin lexicon, each copied from SHARED_DIR/models/ or downloaded (a model archive placed by
  hand in MODELS_DIR/asr/sherpa/ is used too); every pinned file is checked against its SHA-256.
  With SHERPA_MODEL_DIR set, that folder is checked instead of installing SHERPA_MODEL.
  --sherpa NAME: only that sherpa model (plus Silero VAD and the lexicon); names: hotline models --list.
  --list: the sherpa models known, their size, licence, whether their hashes are pinned and
  whether they are installed here; installs nothing.
  --no-download: use shared copies and files placed by hand only.
  Exit code 1 if something could not be set up.`,
    options: { 'no-download': { type: 'boolean', default: false }, list: { type: 'boolean', default: false }, sherpa: { type: 'string' } },
    async run({ values }) {
      const name = values.sherpa as string | undefined;
      if (name !== undefined && !findSherpaModel(name))
        throw new UsageError(`--sherpa ${name}: unknown model; use one of ${SHERPA_MODELS.map((m) => m.name).join(', ')}.`);
      if (values.list && name !== undefined) throw new UsageError('--list installs nothing: give either --list or --sherpa NAME.');
      const config = loadConfig();
      if (values.list) {
        console.log(formatSherpaList(config.values));
        return 0;
      }
      const download = values['no-download'] !== true;
      const problems: string[] = [];
      if (name === undefined) {
        const report = await setupModels(config.values, { download, log: (l) => console.log(l) });
        problems.push(...report.problems);
      }
      const sherpa = await setupSherpa(config.values, name, download);
      problems.push(...sherpa.problems);
      for (const p of problems) console.error(`hotline models: ${p}`);
      return problems.length ? 1 : 0;
    },
  },
];

/**
 * The sherpa part of `hotline models`, printed as its own block with a one-line verdict, so
 * its result stands out from the Vosk part's (which fails on machines without a Vosk model).
 */
async function setupSherpa(values: SettingValues, name: string | undefined, download: boolean): Promise<SetupReport> {
  const own = name === undefined ? values.SHERPA_MODEL_DIR : undefined;
  const wanted = name ?? values.SHERPA_MODEL ?? DEFAULT_SHERPA_MODEL;
  const opts = { download, log: (l: string) => console.log(`sherpa: ${l}`), progress: progressBar('sherpa: downloading') };
  let report: SetupReport;
  if (own) {
    report = await installSherpaSupportFiles(values, opts);
    const d = describeSherpaModelDir(own);
    if ('problems' in d) report.problems.unshift(`SHERPA_MODEL_DIR=${own} is not usable: ${d.problems.join('; ')}`);
    else report.done.unshift(`SHERPA_MODEL_DIR=${own}: a ${d.kind} model with ${d.output} output`);
  } else report = await installSherpaModel(values, wanted, opts);
  for (const d of report.done) console.log(`sherpa: ${d}`);
  console.log(
    report.problems.length
      ? `sherpa: NOT ready (${report.problems.length} problem${report.problems.length > 1 ? 's' : ''}, below)`
      : `sherpa: ready for ASR_ENGINE=sherpa (model ${own ?? wanted})`,
  );
  return { done: report.done, problems: report.problems.map((p) => (p.startsWith('sherpa') ? p : `sherpa: ${p}`)) };
}
